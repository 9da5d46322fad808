"""sla: sla_policies, sla_events; the SLA facts and due times on threads;
claims.due_at and their SLA state; customers.segment. Written by hand.

Existing threads get their SLA columns when something next happens to them,
or all at once with ``inbox sla recompute`` (idempotent). ``sla_events`` is
the contract with the dashboard: one row per (thread, target, kind, due
time), enforced by a unique constraint.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

_THREAD_TIMES = ('sla_started_at', 'sla_waiting_since', 'sla_paused_at', 'sla_remind_at',
                 'first_response_due_at', 'next_response_due_at', 'resolution_due_at',
                 'sla_next_at')


def upgrade() -> None:
    op.create_table('sla_policies',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('conditions', sa.JSON(), nullable=False),
    sa.Column('targets', sa.JSON(), nullable=False),
    sa.Column('calendar', sa.JSON(), nullable=False),
    sa.Column('warn_at', sa.Float(), nullable=False),
    sa.Column('on_breach', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('updated_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_sla_policies_updated_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_policies')),
    sa.UniqueConstraint('key', name=op.f('uq_sla_policies_key'))
    )
    op.create_table('sla_events',
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=True),
    sa.Column('policy_key', sa.String(length=64), nullable=False),
    sa.Column('target', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('due_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('team', sa.String(length=64), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('warning', 'breach', 'met')", name=op.f('ck_sla_events_sla_event_kind')),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_sla_events_assignee_id_users')),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_sla_events_claim_id_claims')),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_sla_events_thread_id_threads')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_events')),
    sa.UniqueConstraint('thread_id', 'target', 'kind', 'due_at', name=op.f('uq_sla_events_thread_id_target_kind_due_at'))
    )
    with op.batch_alter_table('sla_events', schema=None) as batch_op:
        batch_op.create_index('ix_sla_events_at', ['at'], unique=False)

    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin_channel', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('sla_policy_key', sa.String(length=64), nullable=True))
        for name in _THREAD_TIMES:
            batch_op.add_column(sa.Column(name, db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sla_pauses', sa.JSON(), nullable=False,
                                      server_default='[]'))
        batch_op.add_column(sa.Column('sla_state', sa.String(length=16), nullable=False,
                                      server_default='none'))
        batch_op.create_index('ix_threads_sla_next', ['sla_next_at'], unique=False)
    # The defaults only filled the existing rows; the models set their own.
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.alter_column('sla_pauses', server_default=None)
        batch_op.alter_column('sla_state', server_default=None)

    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_at', db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sla_policy_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('sla_next_at', db.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('sla_state', sa.String(length=16), nullable=False,
                                      server_default='none'))
        batch_op.create_index(batch_op.f('ix_claims_sla_next_at'), ['sla_next_at'],
                              unique=False)
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.alter_column('sla_state', server_default=None)

    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('segment', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('segment')

    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claims_sla_next_at'))
        for name in ('sla_state', 'sla_next_at', 'sla_policy_key', 'due_at'):
            batch_op.drop_column(name)

    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.drop_index('ix_threads_sla_next')
        for name in ('sla_state', 'sla_pauses', *reversed(_THREAD_TIMES), 'sla_policy_key',
                     'origin_channel'):
            batch_op.drop_column(name)

    with op.batch_alter_table('sla_events', schema=None) as batch_op:
        batch_op.drop_index('ix_sla_events_at')
    op.drop_table('sla_events')
    op.drop_table('sla_policies')
