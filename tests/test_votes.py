"""Votes: one per person and answer, the latest click winning; user ids stored only hashed."""

import pytest
from sqlalchemy import select

from bot.state.db import Database
from bot.state.log import record_question, record_vote
from bot.state.models import Vote
from retrieval.answer import Answer

pytestmark = pytest.mark.unit


def test_a_second_click_changes_the_vote_instead_of_adding_one(make_settings):
    db = Database(make_settings())
    db.migrate()
    asked = record_question(db, Answer(question="Who?", answered=True, answer="A [1]."), surface="mention")
    first = record_vote(db, question="Who?", sources=["a"], helpful=True, user_id="U1", question_id=asked)
    again = record_vote(db, question="Who?", sources=["a"], helpful=False, user_id="U1", question_id=asked)
    other = record_vote(db, question="Who?", sources=["a"], helpful=True, user_id="U2", question_id=asked)
    assert again == first and other != first
    with db.session() as session:
        votes = session.scalars(select(Vote).order_by(Vote.id)).all()
        assert [v.helpful for v in votes] == [False, True]
        assert all(v.user_hash and "U1" not in v.user_hash and "U2" not in v.user_hash for v in votes)
