"""Quizzes: authored in YAML or GIFT, published without keys, graded by pure functions.

The builder reads quizzes here and writes their public part into the site and their full
part (keys) into `build/service/`; the service imports the same model and grading, so one
question model serves both (the service already imports `builder`, as search does).
"""
