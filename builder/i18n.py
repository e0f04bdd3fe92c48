"""oqu's own interface words in kk, ru and en (GLOSSARY.md terms); Material's own are in the theme."""

from __future__ import annotations

import datetime as dt

STRINGS: dict[str, dict[str, str]] = {
    "home": {"kk": "Басты бет", "ru": "Главная", "en": "Home"},
    "catalogue": {"kk": "Курстар каталогы", "ru": "Каталог курсов", "en": "Course catalogue"},
    "courses": {"kk": "Курстар", "ru": "Курсы", "en": "Courses"},
    "library": {"kk": "Кітапхана", "ru": "Библиотека", "en": "Library"},
    # The search page (builder/search/page.py) and its script's words.
    "search": {"kk": "Іздеу", "ru": "Поиск", "en": "Search"},
    "search.intro": {
        "kk": "Барлық курстардың сабақтары мен бейнедәрістерінен іздеу. Сөзді кез келген түрде жазуға "
        "болады: «өрт», «өрттің», «өрттерде».",
        "ru": "Поиск по занятиям и видеолекциям всех курсов. Слова можно писать в любой форме: "
        "«пожар», «пожаров», «пожарами».",
        "en": "Search the lessons and video lectures of every course. Words may be in any form: "
        "«fire», «fires», «extinguishing».",
    },
    "search.placeholder": {"kk": "Не іздейсіз?", "ru": "Что вы ищете?", "en": "What are you looking for?"},
    "search.all_courses": {"kk": "Барлық курстар", "ru": "Все курсы", "en": "All courses"},
    "search.nothing": {"kk": "Ештеңе табылмады.", "ru": "Ничего не найдено.", "en": "Nothing found."},
    "search.similar": {
        "kk": "Дәл сәйкестік жоқ: бір әрпі өзгеше сөздер көрсетілді.",
        "ru": "Точных совпадений нет: показаны слова, отличающиеся одной буквой.",
        "en": "No exact match: showing words one letter apart.",
    },
    "search.any": {
        "kk": "Барлық сөз бірге кездеспеді: кейбір сөздері бар беттер көрсетілді.",
        "ru": "Все слова вместе не встречаются: показаны страницы с некоторыми из них.",
        "en": "No page has all the words: showing pages with some of them.",
    },
    "search.video_at": {
        "kk": "Бейнедәріс, {time}",
        "ru": "Видеолекция, {time}",
        "en": "Video lecture, {time}",
    },
    "search.offline": {
        "kk": "Іздеу қызметі қазір қолжетімсіз. Әр курстың өз іздеуін пайдаланыңыз (сөз басы бойынша):",
        "ru": "Служба поиска сейчас недоступна. Воспользуйтесь поиском внутри курса (по началу слова):",
        "en": "The search service cannot be reached. Use each course's own search (by word beginnings):",
    },
    "search.failed": {
        "kk": "Іздеу орындалмады: {message}",
        "ru": "Поиск не выполнен: {message}",
        "en": "The search failed: {message}",
    },
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
    "media.video": {"kk": "Бейнедәріс", "ru": "Видеолекция", "en": "Video lecture"},
    "media.audio": {"kk": "Аудиожазба", "ru": "Аудиозапись", "en": "Audio recording"},
    "media.speed": {"kk": "Ойнату жылдамдығы", "ru": "Скорость воспроизведения", "en": "Playback speed"},
    "media.download": {"kk": "Жүктеп алу", "ru": "Скачать", "en": "Download"},
    "media.chapters": {"kk": "Бөлімдер", "ru": "Разделы", "en": "Chapters"},
    "media.transcript": {"kk": "Жазбаның мәтіні", "ru": "Текст записи", "en": "Transcript"},
    "media.unsupported": {
        "kk": "Браузеріңіз бейнені ойната алмайды; оны жүктеп алып көріңіз.",
        "ru": "Ваш браузер не может воспроизвести видео; скачайте его.",
        "en": "Your browser cannot play this video; download it instead.",
    },
    "media.open_separately": {
        "kk": "Жеке бетте ашу",
        "ru": "Открыть на отдельной странице",
        "en": "Open in a separate page",
    },
    "media.model": {
        "kk": "3D-модельді жүктеп алу (.glb)",
        "ru": "Скачать 3D-модель (.glb)",
        "en": "Download the 3D model (.glb)",
    },
    # Paper and offline delivery (builder/paper/): the course page's links, the PDF's own words.
    "paper.pdf": {"kk": "Курстың PDF нұсқасы", "ru": "PDF-версия курса", "en": "The course as a PDF"},
    "paper.offline": {
        "kk": "Офлайн көшірме (ZIP, интернетсіз оқуға)",
        "ru": "Офлайн-копия (ZIP, для чтения без интернета)",
        "en": "Offline copy (ZIP, to read without the internet)",
    },
    "paper.schedule": {
        "kk": "Сабақ кестесі ақпараттық стендке (PDF)",
        "ru": "Расписание занятий для информационного стенда (PDF)",
        "en": "Schedule of classes for the information stand (PDF)",
    },
    "paper.downloads": {"kk": "Басып шығару және офлайн", "ru": "Печать и офлайн", "en": "Print and offline"},
    "paper.offline_hint": {
        "kk": "Мұрағатты ашып, index.html файлын браузерде ашыңыз.",
        "ru": "Распакуйте архив и откройте файл index.html в браузере.",
        "en": "Unpack the archive and open index.html in a browser.",
    },
    "paper.contents": {"kk": "Мазмұны", "ru": "Содержание", "en": "Contents"},
    "paper.page": {"kk": "бет", "ru": "стр.", "en": "page"},
    "paper.worksheet": {"kk": "Жұмыс парағы", "ru": "Рабочий лист", "en": "Worksheet"},
    "paper.worksheet_note": {
        "kk": "Жауаптарды осы параққа жазыңыз. Тестті порталда тапсыруға болады: {url}",
        "ru": "Запишите ответы на этом листе. Тест можно пройти на портале: {url}",
        "en": "Write your answers on this sheet. Take the quiz on the portal: {url}",
    },
    "paper.answer": {"kk": "Жауап", "ru": "Ответ", "en": "Answer"},
    "paper.order_hint": {
        "kk": "Дұрыс ретін нөмірлермен белгілеңіз.",
        "ru": "Укажите правильный порядок номерами.",
        "en": "Number the items in the right order.",
    },
    "paper.match_hint": {
        "kk": "Сол жақтағы әрбір тармаққа оң жақтағы әріпті жазыңыз.",
        "ru": "Против каждого пункта слева запишите букву справа.",
        "en": "Next to each item on the left, write a letter from the right.",
    },
    "paper.watch": {
        "kk": "Бейнедәрісті порталда көріңіз: QR-кодты телефонмен сканерлеңіз немесе сілтемені ашыңыз.",
        "ru": "Смотрите видеолекцию на портале: отсканируйте QR-код телефоном или откройте ссылку.",
        "en": "Watch the video lecture on the portal: scan the QR code with a phone or open the link.",
    },
    "paper.listen": {
        "kk": "Аудиожазбаны порталда тыңдаңыз: QR-кодты сканерлеңіз немесе сілтемені ашыңыз.",
        "ru": "Слушайте аудиозапись на портале: отсканируйте QR-код или откройте ссылку.",
        "en": "Listen to the recording on the portal: scan the QR code or open the link.",
    },
    "paper.interactive": {
        "kk": "Интерактивті модель порталда ашылады: QR-кодты сканерлеңіз немесе сілтемені ашыңыз.",
        "ru": "Интерактивная модель открывается на портале: отсканируйте QR-код или откройте ссылку.",
        "en": "The interactive model opens on the portal: scan the QR code or open the link.",
    },
    "paper.online": {"kk": "Курс порталда", "ru": "Курс на портале", "en": "The course online"},
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
    "quiz.placeholder": {
        "kk": "Мұнда тест бар. Оны тапсыру үшін браузерде JavaScript қосулы болуы және жүйеге кіру қажет.",
        "ru": "Здесь тест. Чтобы пройти его, включите JavaScript в браузере и войдите в систему.",
        "en": "A quiz is here. To take it, turn on JavaScript in your browser and sign in.",
    },
    # The quiz on the page (assets/oqu/quiz.js); the page carries them in data-words.
    "quiz.start": {"kk": "Талпынысты бастау", "ru": "Начать попытку", "en": "Start attempt"},
    "quiz.submit": {"kk": "Тапсыру", "ru": "Отправить", "en": "Submit"},
    "quiz.sign_in": {
        "kk": "Тестті тапсыру үшін жүйеге кіріңіз",
        "ru": "Войдите, чтобы пройти тест",
        "en": "Sign in to take the quiz",
    },
    "quiz.saved": {"kk": "Жауап сақталды", "ru": "Ответ сохранён", "en": "Answer saved"},
    "quiz.queued": {
        "kk": "Байланыс жоқ: жауаптар осы құрылғыда сақталды, байланыс қалпына келгенде жіберіледі",
        "ru": "Нет связи: ответы сохранены на этом устройстве и будут отправлены, когда связь восстановится",
        "en": "Offline: the answers are kept on this device and sent when the connection returns",
    },
    "quiz.time_left": {"kk": "Қалған уақыт", "ru": "Осталось времени", "en": "Time left"},
    "quiz.next": {"kk": "Келесі сұрақ", "ru": "Следующий вопрос", "en": "Next question"},
    "quiz.true": {"kk": "Дұрыс", "ru": "Верно", "en": "True"},
    "quiz.false": {"kk": "Қате", "ru": "Неверно", "en": "False"},
    "quiz.score": {"kk": "Балл", "ru": "Балл", "en": "Score"},
    "quiz.passed": {"kk": "Өтті", "ru": "Сдано", "en": "Passed"},
    "quiz.failed": {"kk": "Өтпеді", "ru": "Не сдано", "en": "Failed"},
    "quiz.state.correct": {"kk": "Дұрыс", "ru": "Верно", "en": "Correct"},
    "quiz.state.partial": {"kk": "Жартылай дұрыс", "ru": "Частично верно", "en": "Partly correct"},
    "quiz.state.wrong": {"kk": "Қате", "ru": "Неверно", "en": "Incorrect"},
    "quiz.state.unanswered": {"kk": "Жауап берілмеген", "ru": "Нет ответа", "en": "Not answered"},
    "quiz.state.manual": {
        "kk": "Оқытушы бағалайды",
        "ru": "Оценит преподаватель",
        "en": "To be graded by the teacher",
    },
    "quiz.right_answer": {"kk": "Дұрыс жауап", "ru": "Правильный ответ", "en": "Right answer"},
    "quiz.comment": {"kk": "Оқытушының пікірі", "ru": "Комментарий преподавателя", "en": "Teacher's comment"},
    "quiz.no_attempts": {"kk": "Талпыныстар таусылды", "ru": "Попытки исчерпаны", "en": "No attempts left"},
    # Why an attempt did not start (the service's error codes).
    "quiz.refused.quiz_not_open": {
        "kk": "Тест әлі ашылған жоқ",
        "ru": "Тест ещё не открыт",
        "en": "The quiz is not open yet",
    },
    "quiz.refused.quiz_closed": {"kk": "Тест жабылды", "ru": "Тест закрыт", "en": "The quiz is closed"},
    "quiz.refused.no_attempts_left": {
        "kk": "Талпыныстар таусылды",
        "ru": "Попытки исчерпаны",
        "en": "No attempts left",
    },
    "quiz.refused.attempt_delay": {
        "kk": "Келесі талпынысты {minutes} минуттан кейін бастауға болады",
        "ru": "Следующую попытку можно начать через {minutes} мин.",
        "en": "The next attempt may start in {minutes} min",
    },
    "quiz.review": {
        "kk": "Соңғы талпыныстың нәтижесін көру",
        "ru": "Посмотреть результат последней попытки",
        "en": "See the last attempt's review",
    },
    "quiz.finished": {"kk": "Талпыныс аяқталды", "ru": "Попытка завершена", "en": "The attempt is finished"},
    "quiz.later": {
        "kk": "Нәтиже кейінірек көрсетіледі",
        "ru": "Результат будет показан позже",
        "en": "The result will be shown later",
    },
    "quiz.up": {"kk": "Жоғары", "ru": "Выше", "en": "Up"},
    "quiz.down": {"kk": "Төмен", "ru": "Ниже", "en": "Down"},
    "quiz.choose": {"kk": "Таңдаңыз", "ru": "Выберите", "en": "Choose"},
    "quiz.answer": {"kk": "Жауап", "ru": "Ответ", "en": "Answer"},
    "quiz.blank": {"kk": "Бос орын", "ru": "Пропуск", "en": "Blank"},
    "quiz.drawn": {
        "kk": "Сұрақтар талпыныс басталғанда беріледі",
        "ru": "Вопросы выдаются при начале попытки",
        "en": "The questions are given when the attempt starts",
    },
    "quiz.unavailable": {
        "kk": "Тест қызметі қазір қолжетімсіз",
        "ru": "Сервис тестирования сейчас недоступен",
        "en": "The quiz service cannot be reached now",
    },
    # 429 answers of the service: {minutes} and {seconds} come from its Retry-After header.
    "quiz.too_many_guesses": {
        "kk": "Бұл сұраққа тым көп әртүрлі жауап тексерілді: жаңа жауапты {minutes} минуттан кейін сақтауға болады",
        "ru": "На этот вопрос проверено слишком много разных ответов: новый ответ можно сохранить через {minutes} мин.",
        "en": "Too many different answers to this question were graded: a new answer can be saved in {minutes} min",
    },
    "quiz.busy": {
        "kk": "Сервер бос емес: жауап кезекте тұр, {seconds} секундтан кейін қайта жіберіледі",
        "ru": "Сервер занят: ответ в очереди и будет отправлен снова через {seconds} с",
        "en": "The server is busy: the answer is queued and sent again in {seconds} s",
    },
    # `oqu preview`: the overlay over the last good page when a saved file has errors.
    "preview.errors": {
        "kk": "Сақталған файлда қате бар",
        "ru": "В сохранённом файле есть ошибки",
        "en": "The saved file has errors",
    },
    "preview.last_good": {
        "kk": "Қатені түзетіп, файлды сақтаңыз: бет өзі жаңарады. Астында соңғы дұрыс нұсқасы тұр.",
        "ru": "Исправьте ошибку и сохраните файл: страница обновится сама. Под этим окном — последняя верная версия.",
        "en": "Fix it and save the file: the page reloads by itself. Below is the last good version.",
    },
    "preview.hide": {"kk": "Жасыру", "ru": "Скрыть", "en": "Hide"},
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
