"""dashboard: response_facts and thread_facts (inbox.metrics), and an index on
sla_events.due_at (the dashboard counts SLA targets by due time). Written by hand.

Derived tables, written on events (inbox/metrics/facts.py): no foreign keys,
so merges, bulk loads and deletions need not know them. This revision only
creates them; fill them from the existing messages and threads with

    inbox dashboard rebuild

(idempotent; every later reply, message, closing, merge or split keeps them
up to date).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-22 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('response_facts',
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('answer_message_id', sa.Integer(), nullable=False),
    sa.Column('customer_message_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('reply_channel', sa.String(length=16), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=True),
    sa.Column('team', sa.String(length=64), nullable=False),
    sa.Column('customer_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('responded_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('seconds', sa.BigInteger(), nullable=False),
    sa.Column('first', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response_facts')),
    sa.UniqueConstraint('answer_message_id',
                        name=op.f('uq_response_facts_answer_message_id'))
    )
    op.create_index('ix_response_facts_responded_at', 'response_facts', ['responded_at'],
                    unique=False,
                    postgresql_include=['seconds', 'first', 'channel', 'team', 'rep_id'])
    op.create_index(op.f('ix_response_facts_thread_id'), 'response_facts', ['thread_id'],
                    unique=False)
    op.create_table('thread_facts',
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('opened_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('seconds', sa.BigInteger(), nullable=True),
    sa.Column('rep_id', sa.Integer(), nullable=True),
    sa.Column('team', sa.String(length=64), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_thread_facts')),
    sa.UniqueConstraint('thread_id', name=op.f('uq_thread_facts_thread_id'))
    )
    op.create_index('ix_thread_facts_closed_at', 'thread_facts', ['closed_at'], unique=False,
                    postgresql_include=['seconds', 'channel', 'team', 'rep_id'])
    op.create_index('ix_thread_facts_open', 'thread_facts', ['thread_id'], unique=False,
                    postgresql_include=['channel', 'opened_at'],
                    postgresql_where=sa.text('closed_at IS NULL'))
    # The dashboard counts SLA targets by due time (the engine's own index is on `at`).
    op.create_index('ix_sla_events_due_at', 'sla_events', ['due_at'], unique=False,
                    postgresql_include=['target', 'kind', 'team', 'assignee_id', 'thread_id'])


def downgrade() -> None:
    op.drop_index('ix_sla_events_due_at', table_name='sla_events')
    op.drop_index('ix_thread_facts_open', table_name='thread_facts')
    op.drop_index('ix_thread_facts_closed_at', table_name='thread_facts')
    op.drop_table('thread_facts')
    op.drop_index(op.f('ix_response_facts_thread_id'), table_name='response_facts')
    op.drop_index('ix_response_facts_responded_at', table_name='response_facts')
    op.drop_table('response_facts')
