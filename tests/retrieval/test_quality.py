"""The quality bar of issue 3, measured on the dev set with the real model and a real Chroma."""

import pytest

from retrieval.evaluation import evaluate, read_cases
from tests.conftest import DEV_SET

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def report(services):
    return evaluate(services.assistant, read_cases(DEV_SET))


def test_the_right_document_comes_first(report):
    assert report.hit_at_1 >= 0.9
    assert report.hit_at_3 == 1.0


def test_answers_carry_the_key_facts_in_few_words(report):
    assert report.key_fact_recall >= 0.9
    assert report.median_answer_words <= 80


def test_in_scope_questions_are_answered_and_the_rest_declined(report):
    assert report.in_scope_answered >= 0.95
    assert report.out_of_scope_declined >= 0.9


def test_every_outcome_is_reported(report):
    assert len(report.outcomes) == len(read_cases(DEV_SET))
    assert report.latency_p95_ms >= report.latency_p50_ms > 0
