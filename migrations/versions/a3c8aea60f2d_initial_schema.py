"""Initial schema: people, directory, applications, history, outbox

Revision ID: a3c8aea60f2d
Revises: 
Create Date: 2026-11-25 01:52:45.433425

"""
from alembic import op
import sqlalchemy as sa

import tracker.core.models


# revision identifiers, used by Alembic.
revision = 'a3c8aea60f2d'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('laboratories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('acronym', sa.String(length=30), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('institution', sa.String(length=200), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('director_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'unit') = (country = 'FR')", name=op.f('ck_laboratories_kind_matches_country')),
    sa.CheckConstraint("kind <> 'partner' OR director_id IS NULL", name=op.f('ck_laboratories_partner_no_director')),
    sa.CheckConstraint("kind IN ('unit', 'partner', 'joint_unit')", name=op.f('ck_laboratories_kind')),
    sa.CheckConstraint('length(country) = 2', name=op.f('ck_laboratories_country_alpha2')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_laboratories'))
    )
    with op.batch_alter_table('laboratories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_laboratories_director_id'), ['director_id'], unique=False)
        batch_op.create_index('ix_laboratories_kind_country', ['kind', 'country'], unique=False)

    op.create_table('programmes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('min_days', sa.Integer(), nullable=False),
    sa.Column('max_days', sa.Integer(), nullable=False),
    sa.Column('budget', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', tracker.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("direction IN ('incoming', 'outgoing')", name=op.f('ck_programmes_direction')),
    sa.CheckConstraint('budget >= 0', name=op.f('ck_programmes_budget_not_negative')),
    sa.CheckConstraint('closes_on >= opens_on', name=op.f('ck_programmes_dates_in_order')),
    sa.CheckConstraint('min_days >= 1 AND max_days >= min_days AND max_days <= 1827', name=op.f('ck_programmes_day_bounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programmes'))
    )
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programmes_direction'), ['direction'], unique=False)

    op.create_table('programme_categories',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.CheckConstraint("category IN ('researcher', 'engineer', 'phd_student', 'postdoc', 'other')", name=op.f('ck_programme_categories_category')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_categories_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('programme_id', 'category', name=op.f('pk_programme_categories'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('nationality', sa.String(length=2), nullable=False),
    sa.Column('home_laboratory_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', tracker.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("category IN ('researcher', 'engineer', 'phd_student', 'postdoc', 'other')", name=op.f('ck_users_category')),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_users_email_lowercase')),
    sa.CheckConstraint('length(nationality) = 2', name=op.f('ck_users_nationality_alpha2')),
    sa.ForeignKeyConstraint(['home_laboratory_id'], ['laboratories.id'], name=op.f('fk_users_home_laboratory_id_laboratories'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_home_laboratory_id'), ['home_laboratory_id'], unique=False)

    # Laboratories and users refer to each other: the director link is added once both exist.
    with op.batch_alter_table('laboratories', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_laboratories_director_id_users'), 'users', ['director_id'], ['id'], ondelete='SET NULL')

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('expires_at', tracker.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', tracker.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', tracker.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', tracker.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('home_laboratory_id', sa.Integer(), nullable=False),
    sa.Column('host_laboratory_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('requested_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('awarded_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('submitted_at', tracker.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', tracker.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', tracker.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("direction IN ('incoming', 'outgoing')", name=op.f('ck_applications_direction')),
    sa.CheckConstraint("purpose IN ('conference', 'research_stay', 'fieldwork', 'secondment', 'teaching', 'training', 'other')", name=op.f('ck_applications_purpose')),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'endorsed', 'returned', 'declined', 'approved', 'rejected', 'withdrawn', 'cancelled', 'completed')", name=op.f('ck_applications_status')),
    sa.CheckConstraint('awarded_amount IS NULL OR awarded_amount >= 0', name=op.f('ck_applications_awarded_not_negative')),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_applications_dates_in_order')),
    sa.CheckConstraint('home_laboratory_id <> host_laboratory_id', name=op.f('ck_applications_two_laboratories')),
    sa.CheckConstraint('requested_amount >= 0', name=op.f('ck_applications_requested_not_negative')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_applications_version_positive')),
    sa.ForeignKeyConstraint(['applicant_id'], ['users.id'], name=op.f('fk_applications_applicant_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['home_laboratory_id'], ['laboratories.id'], name=op.f('fk_applications_home_laboratory_id_laboratories'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['host_laboratory_id'], ['laboratories.id'], name=op.f('fk_applications_host_laboratory_id_laboratories'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_applications_programme_id_programmes'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applications')),
    sa.UniqueConstraint('reference', name=op.f('uq_applications_reference'))
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index('ix_applications_applicant_dates', ['applicant_id', 'start_date', 'end_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_direction'), ['direction'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_home_laboratory_id'), ['home_laboratory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_host_laboratory_id'), ['host_laboratory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index('ix_applications_start_date', ['start_date'], unique=False)
        batch_op.create_index('ix_applications_status_created', ['status', 'created_at', 'id'], unique=False)

    op.create_table('user_roles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.CheckConstraint("role IN ('researcher', 'director', 'admin')", name=op.f('ck_user_roles_role')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_roles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'role', name=op.f('pk_user_roles'))
    )
    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('original_name', sa.String(length=120), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploader_id', sa.Integer(), nullable=False),
    sa.Column('created_at', tracker.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('cv', 'invitation_letter', 'host_agreement', 'report', 'other')", name=op.f('ck_documents_kind')),
    sa.CheckConstraint('size >= 0', name=op.f('ck_documents_size_not_negative')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_documents_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploader_id'], ['users.id'], name=op.f('fk_documents_uploader_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_documents_stored_name'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_application_id'), ['application_id'], unique=False)

    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', tracker.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("action IN ('submit', 'endorse', 'return', 'decline', 'approve', 'reject', 'withdraw', 'cancel', 'complete', 'create', 'edit', 'upload')", name=op.f('ck_events_action')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_events_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_application_id_id', ['application_id', 'id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', tracker.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', tracker.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('read_at', tracker.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', tracker.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_notifications_attempts_not_negative')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_notifications_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_application_id'), ['application_id'], unique=False)
        batch_op.create_index('ix_notifications_pending', ['sent_at', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_notifications_user_read', ['user_id', 'read_at'], unique=False)



def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_read')
        batch_op.drop_index('ix_notifications_pending')
        batch_op.drop_index(batch_op.f('ix_notifications_application_id'))

    op.drop_table('notifications')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_application_id_id')

    op.drop_table('events')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_application_id'))

    op.drop_table('documents')
    op.drop_table('user_roles')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_status_created')
        batch_op.drop_index('ix_applications_start_date')
        batch_op.drop_index(batch_op.f('ix_applications_programme_id'))
        batch_op.drop_index(batch_op.f('ix_applications_host_laboratory_id'))
        batch_op.drop_index(batch_op.f('ix_applications_home_laboratory_id'))
        batch_op.drop_index(batch_op.f('ix_applications_direction'))
        batch_op.drop_index('ix_applications_applicant_dates')

    op.drop_table('applications')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('laboratories', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_laboratories_director_id_users'), type_='foreignkey')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_home_laboratory_id'))

    op.drop_table('users')
    op.drop_table('programme_categories')
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programmes_direction'))

    op.drop_table('programmes')
    with op.batch_alter_table('laboratories', schema=None) as batch_op:
        batch_op.drop_index('ix_laboratories_kind_country')
        batch_op.drop_index(batch_op.f('ix_laboratories_director_id'))

    op.drop_table('laboratories')
