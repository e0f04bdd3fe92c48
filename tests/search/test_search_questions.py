"""Quiz questions a lesson page shows are found by their text; nothing that tells an answer is indexed."""

from __future__ import annotations

from builder.model import Site
from builder.quizzes.model import Question
from builder.search import SearchIndex
from builder.search.documents import clean, plain_text, site_documents


def answer_strings(question: Question) -> list[str]:
    texts = [question.feedback, question.other_feedback]
    texts += [option.text for option in (*question.options, *question.distractors, *question.items)]
    texts += [option.feedback for option in question.options]
    texts += [pair.right for pair in question.pairs]
    texts += [option.text for blank in question.blanks for option in blank]
    return [text for text in texts if len(text) >= 4]


def test_questions_shown_on_lessons_are_indexed_without_answers(example_site: Site) -> None:
    documents = [d for docs in site_documents(example_site).values() for d in docs if d.kind == "question"]
    assert {(d.course, d.lesson, d.lang) for d in documents} >= {
        ("dl-orientation", "what-is-dl", "kk"),
        ("dl-orientation", "what-is-dl", "ru"),
        ("fire-safety", "hazard-properties", "kk"),
    }
    question_texts = {
        clean(plain_text(question.text)): question
        for quiz in example_site.quizzes
        for questions in quiz.questions.values()
        for question in questions
    }
    for document in documents:  # a question document holds its question's text and nothing else
        question = question_texts.get(document.text)
        assert question is not None, document.text
        assert [a for a in answer_strings(question) if a in document.text and a not in question.text] == []


def test_exam_questions_are_not_indexed(example_site: Site) -> None:
    midterm = next(q for q in example_site.quizzes if q.id == "midterm")
    documents = [d for docs in site_documents(example_site).values() for d in docs if d.kind == "question"]
    texts = {d.text for d in documents}
    assert midterm.settings.kind != "practice"
    assert not any(question.text in texts for qs in midterm.questions.values() for question in qs)


def test_a_question_is_found_in_kazakh(example_index: SearchIndex) -> None:
    results = example_index.search("бұйрықтың нөмірі", "kk", courses={"dl-orientation"}, limit=20)
    hit = next(hit for hit in results.hits if hit.kind == "question")
    assert hit.url == "kk/courses/dl-orientation/basics/what-is-dl/"
    assert hit.title == "Қашықтан оқыту дегеніміз не"
