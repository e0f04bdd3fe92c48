"""oqu's own interface words in kk, ru and en (GLOSSARY.md terms); Material's own are in the theme."""

from __future__ import annotations

import datetime as dt

STRINGS: dict[str, dict[str, str]] = {
    "home": {"kk": "Басты бет", "ru": "Главная", "en": "Home"},
    "catalogue": {"kk": "Курстар каталогы", "ru": "Каталог курсов", "en": "Course catalogue"},
    "courses": {"kk": "Курстар", "ru": "Курсы", "en": "Courses"},
    "library": {"kk": "Кітапхана", "ru": "Библиотека", "en": "Library"},
    "libraries_intro": {
        "kk": "Оқу орнының және серіктестердің электрондық ресурстары мен кітапханалары.",
        "ru": "Электронные ресурсы и библиотеки учебного заведения и партнёров.",
        "en": "Electronic resources and libraries of the institution and its partners.",
    },
    "library_owner.institution": {
        "kk": "Оқу орнының кітапханасы",
        "ru": "Библиотека учебного заведения",
        "en": "The institution's library",
    },
    "library_owner.partner": {
        "kk": "Серіктес кітапханасы",
        "ru": "Библиотека партнёра",
        "en": "Partner library",
    },
    "announcements": {"kk": "Хабарландырулар", "ru": "Объявления", "en": "Announcements"},
    "no_announcements": {"kk": "Хабарландыру жоқ.", "ru": "Объявлений нет.", "en": "No announcements."},
    "dl_banner": {
        "kk": "Қашықтан оқыту режимі: бастықтың {date} № {number} бұйрығы",
        "ru": "Режим дистанционного обучения: приказ начальника № {number} от {date}",
        "en": "Distance learning mode: order of the head No. {number} of {date}",
    },
    "access.open": {"kk": "Ашық курс", "ru": "Открытый курс", "en": "Open course"},
    "access.enrolled": {
        "kk": "Тіркелген білім алушыларға",
        "ru": "Для зачисленных обучающихся",
        "en": "For enrolled students",
    },
    "format.synchronous": {
        "kk": "Синхронды (ілеспе) оқыту форматы",
        "ru": "Синхронный формат обучения",
        "en": "Synchronous format",
    },
    "format.asynchronous": {
        "kk": "Оқытудың асинхронды форматы",
        "ru": "Асинхронный формат обучения",
        "en": "Asynchronous format",
    },
    "format.mooc": {
        "kk": "Жаппай ашық онлайн-курс (ЖАОК)",
        "ru": "Массовый открытый онлайн-курс (МООК)",
        "en": "MOOC",
    },
    "format": {"kk": "Формат", "ru": "Формат", "en": "Format"},
    "access": {"kk": "Қолжетімділік", "ru": "Доступ", "en": "Access"},
    "hours": {"kk": "Сағат көлемі", "ru": "Объём часов", "en": "Hours"},
    "hours.value": {
        "kk": "байланыс сабақтары {contact} сағ., қашықтан {distance} сағ.",
        "ru": "контактная работа {contact} ч, дистанционно {distance} ч",
        "en": "{contact} h in contact with the teacher, {distance} h at a distance",
    },
    "languages": {"kk": "Тілдер", "ru": "Языки", "en": "Languages"},
    "teachers": {"kk": "Оқытушылар", "ru": "Преподаватели", "en": "Teachers"},
    "outcomes": {"kk": "Оқу нәтижелері", "ru": "Результаты обучения", "en": "Learning outcomes"},
    "modules": {"kk": "Модульдер", "ru": "Модули", "en": "Modules"},
    "module": {"kk": "Модуль", "ru": "Модуль", "en": "Module"},
    "lessons": {"kk": "Сабақтар", "ru": "Занятия", "en": "Lessons"},
    "lesson_count": {"kk": "{n} сабақ", "ru": "занятий: {n}", "en": "{n} lessons"},
    "open_course": {"kk": "Курсқа өту", "ru": "Перейти к курсу", "en": "Go to the course"},
    "minutes": {"kk": "{n} мин", "ru": "{n} мин", "en": "{n} min"},
    "due": {"kk": "Мерзім", "ru": "Срок", "en": "Deadline"},
    "schedule": {"kk": "Сабақ кестесі", "ru": "Расписание занятий", "en": "Schedule of classes"},
    "schedule.date": {"kk": "Күні мен уақыты", "ru": "Дата и время", "en": "Date and time"},
    "schedule.topic": {"kk": "Тақырып", "ru": "Тема", "en": "Topic"},
    "schedule.kind": {"kk": "Түрі", "ru": "Вид", "en": "Kind"},
    "schedule.duration": {"kk": "Ұзақтығы", "ru": "Продолжительность", "en": "Duration"},
    "schedule.teacher": {"kk": "Оқытушы", "ru": "Преподаватель", "en": "Teacher"},
    "schedule.zone": {
        "kk": "Уақыт {zone} бойынша (UTC{offset}) көрсетілген. Сабаққа қосылу сілтемесі жүйеге кіргеннен кейін ашылады.",
        "ru": "Время указано по {zone} (UTC{offset}). Ссылка для подключения к занятию доступна после входа.",
        "en": "Times are in {zone} (UTC{offset}). The link to join the class is available after you sign in.",
    },
    "class_kind.webinar": {"kk": "Вебинар", "ru": "Вебинар", "en": "Webinar"},
    "class_kind.video-conference": {
        "kk": "Бейнеконференция",
        "ru": "Видеоконференция",
        "en": "Video conference",
    },
    "class_kind.consultation": {"kk": "Консультация", "ru": "Консультация", "en": "Consultation"},
    "class_kind.in-person": {"kk": "Аудиториялық сабақ", "ru": "Аудиторное занятие", "en": "In-person class"},
    "lesson_type.lecture": {"kk": "Дәріс", "ru": "Лекция", "en": "Lecture"},
    "lesson_type.practice": {"kk": "Практикалық сабақ", "ru": "Практическое занятие", "en": "Practice"},
    "lesson_type.seminar": {"kk": "Семинар", "ru": "Семинар", "en": "Seminar"},
    "lesson_type.self-study": {"kk": "Өзіндік жұмыс", "ru": "Самостоятельная работа", "en": "Self-study"},
    "fallback_title": {"kk": "Аударма әлі жоқ", "ru": "Перевода пока нет", "en": "No translation yet"},
    "fallback_notice": {
        "kk": "Бұл сабақтың қазақ тіліндегі нұсқасы әлі жоқ; төменде {source} тіліндегі мәтін көрсетілген.",
        "ru": "Этого занятия на русском языке пока нет; ниже показан текст на языке: {source}.",
        "en": "This lesson is not yet available in English; the {source} text is shown below.",
    },
    "lang.kk": {"kk": "қазақ", "ru": "казахский", "en": "Kazakh"},
    "lang.ru": {"kk": "орыс", "ru": "русский", "en": "Russian"},
    "lang.en": {"kk": "ағылшын", "ru": "английский", "en": "English"},
    "language_name.kk": {"kk": "Қазақша", "ru": "Қазақша", "en": "Қазақша"},
    "language_name.ru": {"kk": "Русский", "ru": "Русский", "en": "Русский"},
    "language_name.en": {"kk": "English", "ru": "English", "en": "English"},
    "sign_in": {"kk": "Кіру", "ru": "Войти", "en": "Sign in"},
    "contact": {"kk": "Байланыс", "ru": "Контакты", "en": "Contact"},
    "redirect": {"kk": "Курстар каталогына өту", "ru": "Перейти в каталог", "en": "Go to the catalogue"},
    "not_found": {"kk": "Бет табылмады", "ru": "Страница не найдена", "en": "Page not found"},
    "open_courses_count": {"kk": "Ашық курстар", "ru": "Открытые курсы", "en": "Open courses"},
}

MONTHS: dict[str, tuple[str, ...]] = {
    "kk": (
        "қаңтар",
        "ақпан",
        "наурыз",
        "сәуір",
        "мамыр",
        "маусым",
        "шілде",
        "тамыз",
        "қыркүйек",
        "қазан",
        "қараша",
        "желтоқсан",
    ),
    "ru": (
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def t(key: str, lang: str, **values: object) -> str:
    """The interface text `key` in `lang`, with `{name}` placeholders filled."""
    text = STRINGS[key].get(lang) or STRINGS[key]["kk"]
    return text.format(**values) if values else text


def format_date(day: dt.date, lang: str) -> str:
    month = MONTHS.get(lang, MONTHS["kk"])[day.month - 1]
    if lang == "kk":
        return f"{day.year} жылғы {day.day} {month}"
    if lang == "ru":
        return f"{day.day} {month} {day.year} г."
    return f"{day.day} {month} {day.year}"


def format_datetime(moment: dt.datetime, lang: str) -> str:
    return f"{format_date(moment.date(), lang)}, {moment:%H:%M}"
