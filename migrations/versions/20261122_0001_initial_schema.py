"""initial schema: the book (customers, identities, policies, claims, account
issues), conversations (threads, messages, attachments), users, audit events
and failed intakes. Reviewed by hand: constraint names follow db.NAMING_CONVENTION.

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 03:12:58.106954
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('customers',
    sa.Column('ref', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('created_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['merged_into_id'], ['customers.id'], name=op.f('fk_customers_merged_into_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customers')),
    sa.UniqueConstraint('ref', name=op.f('uq_customers_ref'))
    )
    op.create_table('failed_intakes',
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('external_id', sa.String(length=500), nullable=False),
    sa.Column('raw_ref', sa.String(length=64), nullable=True),
    sa.Column('inbound', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_failed_intakes'))
    )
    with op.batch_alter_table('failed_intakes', schema=None) as batch_op:
        batch_op.create_index('ix_failed_intakes_status', ['status', 'created_at'], unique=False)

    op.create_table('users',
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('team', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=300), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('authority_limit', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('created_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint("role IN ('rep', 'supervisor', 'lead', 'admin')", name=op.f('ck_users_user_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('audit_events',
    sa.Column('at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('entity_type', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_entity', ['entity_type', 'entity_id', 'at'], unique=False)

    op.create_table('customer_identities',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('value', sa.String(length=320), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('created_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('email', 'phone', 'address', 'customer_ref')", name=op.f('ck_customer_identities_identity_kind')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_identities_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_identities')),
    sa.UniqueConstraint('kind', 'value', name=op.f('uq_customer_identities_kind_value'))
    )
    with op.batch_alter_table('customer_identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_identities_customer_id'), ['customer_id'], unique=False)

    op.create_table('customer_merges',
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('moved', sa.JSON(), nullable=False),
    sa.Column('merged_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('undone_at', db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['customers.id'], name=op.f('fk_customer_merges_source_id_customers')),
    sa.ForeignKeyConstraint(['target_id'], ['customers.id'], name=op.f('fk_customer_merges_target_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_merges'))
    )
    op.create_table('policies',
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('product', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('renewal_date', sa.Date(), nullable=True),
    sa.Column('coverage_limit', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('deductible', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('exclusions', sa.JSON(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_policies_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policies')),
    sa.UniqueConstraint('number', name=op.f('uq_policies_number'))
    )
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policies_customer_id'), ['customer_id'], unique=False)

    op.create_table('account_issues',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('created_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('renewal', 'account_change', 'complaint', 'payment_delay', 'other')", name=op.f('ck_account_issues_account_issue_kind')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_account_issues_customer_id_customers')),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_account_issues_policy_id_policies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_issues'))
    )
    with op.batch_alter_table('account_issues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_issues_customer_id'), ['customer_id'], unique=False)

    op.create_table('claims',
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('loss_date', sa.Date(), nullable=True),
    sa.Column('amount_claimed', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_claims_policy_id_policies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claims')),
    sa.UniqueConstraint('number', name=op.f('uq_claims_number'))
    )
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claims_policy_id'), ['policy_id'], unique=False)

    op.create_table('threads',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('subject_key', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.String(length=16), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('claim_id', sa.Integer(), nullable=True),
    sa.Column('policy_id', sa.Integer(), nullable=True),
    sa.Column('account_issue_id', sa.Integer(), nullable=True),
    sa.Column('issue_type', sa.String(length=20), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('needs_reply', sa.Boolean(), nullable=False),
    sa.Column('due_at', db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('first_response_at', db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_message_at', db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_inbound_at', db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('open', 'pending', 'closed')", name=op.f('ck_threads_thread_status')),
    sa.ForeignKeyConstraint(['account_issue_id'], ['account_issues.id'], name=op.f('fk_threads_account_issue_id_account_issues')),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_threads_assignee_id_users')),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_threads_claim_id_claims')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_threads_customer_id_customers')),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_threads_policy_id_policies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_threads'))
    )
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_threads_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_threads_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_threads_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_threads_customer_subject', ['customer_id', 'subject_key'], unique=False)
        batch_op.create_index('ix_threads_queue', ['status', 'due_at'], unique=False)

    op.create_table('messages',
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('direction', sa.String(length=16), nullable=False),
    sa.Column('external_id', sa.String(length=500), nullable=False),
    sa.Column('sender', sa.String(length=320), nullable=False),
    sa.Column('sender_name', sa.String(length=200), nullable=False),
    sa.Column('recipient', sa.String(length=320), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('received_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('auto', sa.Boolean(), nullable=False),
    sa.Column('raw_ref', sa.String(length=64), nullable=True),
    sa.Column('in_reply_to', sa.String(length=500), nullable=True),
    sa.Column('references', sa.JSON(), nullable=False),
    sa.Column('extras', sa.JSON(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint("direction IN ('inbound', 'outbound', 'note')", name=op.f('ck_messages_message_direction')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_messages_author_id_users')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_messages_customer_id_customers')),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_messages_thread_id_threads')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    sa.UniqueConstraint('channel', 'external_id', name=op.f('uq_messages_channel_external_id'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messages_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_messages_external_id', ['external_id'], unique=False)
        batch_op.create_index('ix_messages_thread_received', ['thread_id', 'received_at'], unique=False)

    op.create_table('attachments',
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('content_type', sa.String(length=200), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('content_id', sa.String(length=300), nullable=True),
    sa.Column('inline', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_attachments_message_id_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_sha256'), ['sha256'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_sha256'))
        batch_op.drop_index(batch_op.f('ix_attachments_message_id'))

    op.drop_table('attachments')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_thread_received')
        batch_op.drop_index('ix_messages_external_id')
        batch_op.drop_index(batch_op.f('ix_messages_customer_id'))

    op.drop_table('messages')
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.drop_index('ix_threads_queue')
        batch_op.drop_index('ix_threads_customer_subject')
        batch_op.drop_index(batch_op.f('ix_threads_customer_id'))
        batch_op.drop_index(batch_op.f('ix_threads_claim_id'))
        batch_op.drop_index(batch_op.f('ix_threads_assignee_id'))

    op.drop_table('threads')
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claims_policy_id'))

    op.drop_table('claims')
    with op.batch_alter_table('account_issues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_issues_customer_id'))

    op.drop_table('account_issues')
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policies_customer_id'))

    op.drop_table('policies')
    op.drop_table('customer_merges')
    with op.batch_alter_table('customer_identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_identities_customer_id'))

    op.drop_table('customer_identities')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_entity')

    op.drop_table('audit_events')
    op.drop_table('users')
    with op.batch_alter_table('failed_intakes', schema=None) as batch_op:
        batch_op.drop_index('ix_failed_intakes_status')

    op.drop_table('failed_intakes')
    op.drop_table('customers')
