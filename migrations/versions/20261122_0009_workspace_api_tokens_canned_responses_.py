"""workspace: api tokens, canned responses, follow-up, merged threads, send later.
Reviewed by hand.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 09:39:41.038703
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('canned_responses',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_canned_responses')),
    sa.UniqueConstraint('key', 'language', name=op.f('uq_canned_responses_key_language'))
    )
    op.create_table('api_tokens',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('created_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('expires_at', db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('send_at', db.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('follow_up_at', db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_threads_merged_into_id_threads'), 'threads', ['merged_into_id'], ['id'])
        batch_op.create_index('ix_threads_follow_up', ['status', 'follow_up_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.drop_index('ix_threads_follow_up')
        batch_op.drop_constraint(batch_op.f('fk_threads_merged_into_id_threads'), type_='foreignkey')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('follow_up_at')

    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.drop_column('send_at')

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    op.drop_table('canned_responses')
