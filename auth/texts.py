"""Words of the sign-in pages, in Kazakh, Russian and English (see the glossary)."""

from __future__ import annotations

LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}

LOGIN = {
    "kk": {
        "title": "Кіру",
        "email": "Электрондық пошта",
        "password": "Құпиясөз",
        "submit": "Кіру",
        "failed": "Кіру мүмкін болмады: электрондық пошта немесе құпиясөз қате.",
        "expired": "Форманың мерзімі өтті. Қайталап көріңіз.",
        "sign_out": "Шығу",
    },
    "ru": {
        "title": "Вход",
        "email": "Электронная почта",
        "password": "Пароль",
        "submit": "Войти",
        "failed": "Не удалось войти: неверная электронная почта или пароль.",
        "expired": "Срок действия формы истёк. Попробуйте ещё раз.",
        "sign_out": "Выйти",
    },
    "en": {
        "title": "Sign in",
        "email": "Email",
        "password": "Password",
        "submit": "Sign in",
        "failed": "Sign-in failed: wrong email or password.",
        "expired": "The form has expired. Please try again.",
        "sign_out": "Sign out",
    },
}
