"""claim casework: info requests, escalations, notifications, account issue
events; customers.preferred_channel, account_issues.due_at/resolved_at.
Reviewed by hand.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 08:18:47.689057
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('account_issue_events',
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=False),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('created_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_account_issue_events_actor_id_users')),
    sa.ForeignKeyConstraint(['issue_id'], ['account_issues.id'], name=op.f('fk_account_issue_events_issue_id_account_issues')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_issue_events'))
    )
    with op.batch_alter_table('account_issue_events', schema=None) as batch_op:
        batch_op.create_index('ix_account_issue_events_issue', ['issue_id', 'created_at'], unique=False)

    op.create_table('escalations',
    sa.Column('claim_id', sa.Integer(), nullable=True),
    sa.Column('account_issue_id', sa.Integer(), nullable=True),
    sa.Column('thread_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('raised_by', sa.Integer(), nullable=True),
    sa.Column('supervisor_id', sa.Integer(), nullable=True),
    sa.Column('team', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decision', sa.String(length=32), nullable=False),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('created_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('open', 'decided', 'withdrawn')", name=op.f('ck_escalations_escalation_status')),
    sa.ForeignKeyConstraint(['account_issue_id'], ['account_issues.id'], name=op.f('fk_escalations_account_issue_id_account_issues')),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_escalations_claim_id_claims')),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_escalations_decided_by_users')),
    sa.ForeignKeyConstraint(['raised_by'], ['users.id'], name=op.f('fk_escalations_raised_by_users')),
    sa.ForeignKeyConstraint(['supervisor_id'], ['users.id'], name=op.f('fk_escalations_supervisor_id_users')),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_escalations_thread_id_threads')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalations'))
    )
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalations_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index('ix_escalations_queue', ['supervisor_id', 'status', 'created_at'], unique=False)

    op.create_table('notifications',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=True),
    sa.Column('claim_id', sa.Integer(), nullable=True),
    sa.Column('created_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_notifications_claim_id_claims')),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_notifications_thread_id_threads')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_user', ['user_id', 'read_at', 'created_at'], unique=False)

    op.create_table('info_requests',
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=True),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('outbound_id', sa.Integer(), nullable=True),
    sa.Column('requested_by', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('chased_at', db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_at', db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answer_message_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('open', 'answered', 'cancelled')", name=op.f('ck_info_requests_info_request_status')),
    sa.ForeignKeyConstraint(['answer_message_id'], ['messages.id'], name=op.f('fk_info_requests_answer_message_id_messages')),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_info_requests_claim_id_claims')),
    sa.ForeignKeyConstraint(['outbound_id'], ['outbound_messages.id'], name=op.f('fk_info_requests_outbound_id_outbound_messages')),
    sa.ForeignKeyConstraint(['requested_by'], ['users.id'], name=op.f('fk_info_requests_requested_by_users')),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_info_requests_thread_id_threads')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_info_requests'))
    )
    with op.batch_alter_table('info_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_info_requests_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index('ix_info_requests_open', ['status', 'due_at'], unique=False)

    with op.batch_alter_table('account_issues', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_at', db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('resolved_at', db.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('preferred_channel', sa.String(length=16), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('preferred_channel')

    with op.batch_alter_table('account_issues', schema=None) as batch_op:
        batch_op.drop_column('resolved_at')
        batch_op.drop_column('due_at')

    with op.batch_alter_table('info_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_info_requests_open')
        batch_op.drop_index(batch_op.f('ix_info_requests_claim_id'))

    op.drop_table('info_requests')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user')

    op.drop_table('notifications')
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_index('ix_escalations_queue')
        batch_op.drop_index(batch_op.f('ix_escalations_claim_id'))

    op.drop_table('escalations')
    with op.batch_alter_table('account_issue_events', schema=None) as batch_op:
        batch_op.drop_index('ix_account_issue_events_issue')

    op.drop_table('account_issue_events')
