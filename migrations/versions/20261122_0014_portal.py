"""portal: sign-in requests (link or code) and signed-in customers' sessions
(inbox.portal). Written by hand.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-22 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('portal_sign_ins',
    sa.Column('public_id', sa.String(length=64), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('contact', sa.String(length=320), nullable=True),
    sa.Column('contact_hash', sa.String(length=64), nullable=False),
    sa.Column('client_hash', sa.String(length=64), nullable=False),
    sa.Column('salt', sa.String(length=64), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('link_base', sa.String(length=300), nullable=False),
    sa.Column('created_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('used_at', db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint("channel IN ('email', 'sms')",
                       name=op.f('ck_portal_sign_ins_portal_sign_in_channel')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                            name=op.f('fk_portal_sign_ins_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portal_sign_ins')),
    sa.UniqueConstraint('public_id', name=op.f('uq_portal_sign_ins_public_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_portal_sign_ins_token_hash'))
    )
    op.create_index('ix_portal_sign_ins_client', 'portal_sign_ins',
                    ['client_hash', 'created_at'], unique=False)
    op.create_index('ix_portal_sign_ins_contact', 'portal_sign_ins',
                    ['contact_hash', 'created_at'], unique=False)
    op.create_table('portal_sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('sign_in_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('created_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                            name=op.f('fk_portal_sessions_customer_id_customers')),
    sa.ForeignKeyConstraint(['sign_in_id'], ['portal_sign_ins.id'],
                            name=op.f('fk_portal_sessions_sign_in_id_portal_sign_ins')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portal_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_portal_sessions_token_hash'))
    )
    op.create_index(op.f('ix_portal_sessions_customer_id'), 'portal_sessions', ['customer_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_portal_sessions_customer_id'), table_name='portal_sessions')
    op.drop_table('portal_sessions')
    op.drop_index('ix_portal_sign_ins_contact', table_name='portal_sign_ins')
    op.drop_index('ix_portal_sign_ins_client', table_name='portal_sign_ins')
    op.drop_table('portal_sign_ins')
