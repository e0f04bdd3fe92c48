"""The words of the files `oqu init` and `oqu new` write, in kk, ru and en."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "module": {"kk": "Кіріспе", "ru": "Введение", "en": "Introduction"},
    "course_title": {"kk": "Курстың атауы", "ru": "Название курса", "en": "Course title"},
    "course_summary": {
        "kk": "Курстың қысқаша сипаттамасы: кімге арналған және не үйретеді.",
        "ru": "Краткое описание курса: для кого он и чему учит.",
        "en": "A short description of the course: who it is for and what it teaches.",
    },
    "teacher_name": {"kk": "Оқытушының аты-жөні", "ru": "ФИО преподавателя", "en": "The teacher's name"},
    "outcome": {
        "kk": "Білім алушы курстың негізгі ұғымдарын түсіндіре алады.",
        "ru": "Обучающийся может объяснить основные понятия курса.",
        "en": "The student can explain the course's main ideas.",
    },
    "lesson_title": {
        "kk": "Курсқа қош келдіңіз",
        "ru": "Добро пожаловать на курс",
        "en": "Welcome to the course",
    },
    "example_lesson": {
        "kk": "# {title}\n\nБұл — мысал сабақ. Оны өз мәтініңізбен ауыстырыңыз.\n\n"
        "## Қалай өңдеу керек\n\n"
        "1. `oqu preview` іске қосып, браузерде http://127.0.0.1:8000 ашыңыз.\n"
        "2. Осы файлды өңдеп, сақтаңыз: бет бір секундта жаңарады.\n"
        '3. Жаңа сабақ: `oqu new lesson example/introduction "Сабақтың атауы"`.\n\n'
        '!!! tip "Кеңес"\n\n    Формулалар да жазылады: $E = mc^2$.\n',
        "ru": "# {title}\n\nЭто пример занятия. Замените его своим текстом.\n\n"
        "## Как редактировать\n\n"
        "1. Запустите `oqu preview` и откройте в браузере http://127.0.0.1:8000.\n"
        "2. Измените этот файл и сохраните: страница обновится за секунду.\n"
        '3. Новое занятие: `oqu new lesson example/introduction "Название занятия"`.\n\n'
        '!!! tip "Совет"\n\n    Можно писать и формулы: $E = mc^2$.\n',
        "en": "# {title}\n\nThis is an example lesson. Replace it with your own text.\n\n"
        "## How to edit\n\n"
        "1. Run `oqu preview` and open http://127.0.0.1:8000 in the browser.\n"
        "2. Edit this file and save it: the page reloads within a second.\n"
        '3. A new lesson: `oqu new lesson example/introduction "Lesson title"`.\n\n'
        '!!! tip "Tip"\n\n    Formulas work too: $E = mc^2$.\n',
    },
    "first_lesson": {
        "kk": "# {title}\n\nКурстың алғашқы сабағы. Мәтінді осында жазыңыз.\n",
        "ru": "# {title}\n\nПервое занятие курса. Напишите текст здесь.\n",
        "en": "# {title}\n\nThe course's first lesson. Write its text here.\n",
    },
    "new_lesson": {
        "kk": "# {title}\n\nСабақтың мәтінін осында жазыңыз.\n",
        "ru": "# {title}\n\nНапишите текст занятия здесь (и переведите заголовок).\n",
        "en": "# {title}\n\nWrite the lesson's text here (and translate its title).\n",
    },
}


def text(key: str, lang: str) -> str:
    return TEXTS[key].get(lang) or TEXTS[key]["kk"]
