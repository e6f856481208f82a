"""The organisation's process: funding and cost items, countries' risk levels, requirement
rules (with the five defaults), opinions, restricted units, security officers, invitations

Revision ID: f1c3a5e7b9d2
Revises: e4a9c2d6f1b8
Create Date: 2026-12-01 10:44:55

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

import tracker.core.models


# revision identifiers, used by Alembic.
revision = 'f1c3a5e7b9d2'
down_revision = 'e4a9c2d6f1b8'
branch_labels = None
depends_on = None


WIDENED = (
    ('user_roles', 'ck_user_roles_role',
     "role IN ('researcher', 'director', 'admin')",
     "role IN ('researcher', 'director', 'admin', 'security_officer')"),
    ('documents', 'ck_documents_kind',
     "kind IN ('cv', 'invitation_letter', 'host_agreement', 'report', 'other')",
     "kind IN ('cv', 'invitation_letter', 'host_agreement', 'insurance', 'visa', 'report', 'other')"),
    ('events', 'ck_events_action',
     "action IN ('submit', 'endorse', 'return', 'decline', 'approve', 'reject', 'withdraw', 'cancel', 'complete', 'create', 'edit', 'upload')",
     "action IN ('submit', 'endorse', 'return', 'decline', 'approve', 'reject', 'withdraw', 'cancel', 'complete', 'create', 'edit', 'upload', 'opinion')"),
)

# The default requirement rules of docs/rules.md. Admins may edit them or switch them off.
DEFAULT_RULE_COLUMNS = (
    'code', 'name', 'direction', 'min_days', 'min_risk_level', 'purposes', 'document_kind',
    'opinion_kind', 'blocks',
)
NO_FLAGS = {'non_eu_national': False, 'host_restricted': False, 'host_joint_unit_director': False}
DEFAULT_RULES = (
    (('security_opinion', 'Outgoing stay in a country at orange or red', 'outgoing', None,
      'orange', '', None, 'security', 'approve'), NO_FLAGS),
    (('security_opinion', 'Foreign national entering a restricted-zone unit', 'incoming', None,
      None, '', None, 'security', 'approve'),
     {**NO_FLAGS, 'non_eu_national': True, 'host_restricted': True}),
    (('host_agreement', 'Stay over 90 days by a national of a country outside the EU, the EEA '
      'and Switzerland', 'incoming', 91, None, '', 'host_agreement', None, 'approve'),
     {**NO_FLAGS, 'non_eu_national': True}),
    (('host_opinion', 'Outgoing stay in an international joint unit directed by someone else',
      'outgoing', None, None, '', None, 'host', 'approve'),
     {**NO_FLAGS, 'host_joint_unit_director': True}),
    (('invitation_letter', 'Research stay or secondment over 30 days', None, 31, None,
      'research_stay,secondment', 'invitation_letter', None, 'submit'), NO_FLAGS),
)


def upgrade():
    op.create_table('requirement_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=True),
    sa.Column('min_days', sa.Integer(), nullable=True),
    sa.Column('min_risk_level', sa.String(length=10), nullable=True),
    sa.Column('non_eu_national', sa.Boolean(), nullable=False),
    sa.Column('host_restricted', sa.Boolean(), nullable=False),
    sa.Column('host_joint_unit_director', sa.Boolean(), nullable=False),
    sa.Column('purposes', sa.String(length=200), nullable=False),
    sa.Column('document_kind', sa.String(length=20), nullable=True),
    sa.Column('opinion_kind', sa.String(length=10), nullable=True),
    sa.Column('blocks', sa.String(length=10), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', tracker.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', tracker.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("blocks IN ('submit', 'approve')", name=op.f('ck_requirement_rules_blocks')),
    sa.CheckConstraint("direction IS NULL OR direction IN ('incoming', 'outgoing')", name=op.f('ck_requirement_rules_direction')),
    sa.CheckConstraint("document_kind IS NULL OR document_kind IN ('cv', 'invitation_letter', 'host_agreement', 'insurance', 'visa', 'report', 'other')", name=op.f('ck_requirement_rules_document_kind')),
    sa.CheckConstraint("min_risk_level IS NULL OR min_risk_level IN ('green', 'yellow', 'orange', 'red')", name=op.f('ck_requirement_rules_min_risk_level')),
    sa.CheckConstraint("opinion_kind IS NULL OR opinion_kind IN ('security', 'host')", name=op.f('ck_requirement_rules_opinion_kind')),
    sa.CheckConstraint('(document_kind IS NULL) <> (opinion_kind IS NULL)', name=op.f('ck_requirement_rules_requires_one_thing')),
    sa.CheckConstraint('min_days IS NULL OR min_days >= 1', name=op.f('ck_requirement_rules_min_days_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_requirement_rules'))
    )
    op.create_table('countries',
    sa.Column('code', sa.String(length=2), nullable=False),
    sa.Column('risk_level', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', tracker.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("risk_level IN ('green', 'yellow', 'orange', 'red')", name=op.f('ck_countries_risk_level')),
    sa.CheckConstraint('length(code) = 2', name=op.f('ck_countries_code_alpha2')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_countries_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_countries'))
    )
    op.create_table('cost_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.CheckConstraint("kind IN ('travel', 'accommodation', 'subsistence', 'registration', 'visa', 'insurance', 'other')", name=op.f('ck_cost_items_kind')),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_cost_items_amount_not_negative')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_cost_items_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cost_items'))
    )
    with op.batch_alter_table('cost_items', schema=None) as batch_op:
        batch_op.create_index('ix_cost_items_application_id_position', ['application_id', 'position'], unique=False)

    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('host_laboratory_id', sa.Integer(), nullable=False),
    sa.Column('expires_at', tracker.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', tracker.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', tracker.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_invitations_application_id_applications'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['host_laboratory_id'], ['laboratories.id'], name=op.f('fk_invitations_host_laboratory_id_laboratories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_invitations_invited_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_invitations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitations_token_hash'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_host_laboratory_id'), ['host_laboratory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_invited_by_id'), ['invited_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_user_id'), ['user_id'], unique=False)

    op.create_table('opinions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('verdict', sa.String(length=30), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('security', 'host')", name=op.f('ck_opinions_kind')),
    sa.CheckConstraint("verdict IN ('favourable', 'favourable_with_conditions', 'unfavourable')", name=op.f('ck_opinions_verdict')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_opinions_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_opinions_author_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinions'))
    )
    with op.batch_alter_table('opinions', schema=None) as batch_op:
        batch_op.create_index('ix_opinions_application_id_kind_id', ['application_id', 'kind', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opinions_author_id'), ['author_id'], unique=False)

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('funding', sa.String(length=10), server_default='programme', nullable=False))
        batch_op.add_column(sa.Column('budget_line', sa.String(length=100), server_default='', nullable=False))
        batch_op.alter_column('programme_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_check_constraint(op.f('ck_applications_funding'), "funding IN ('programme', 'unit')")
        batch_op.create_check_constraint(op.f('ck_applications_funding_programme'), "(funding = 'programme') = (programme_id IS NOT NULL)")

    with op.batch_alter_table('laboratories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('restricted_zone', sa.Boolean(), server_default=sa.false(), nullable=False))

    # Wider lists of codes: a new role, two document kinds, a new kind of event.
    for table, name, old, new in WIDENED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(name), type_='check')
            batch_op.create_check_constraint(op.f(name), new)

    rules = sa.table(
        'requirement_rules',
        *(sa.column(name) for name in DEFAULT_RULE_COLUMNS),
        sa.column('non_eu_national', sa.Boolean()), sa.column('host_restricted', sa.Boolean()),
        sa.column('host_joint_unit_director', sa.Boolean()), sa.column('active', sa.Boolean()),
        sa.column('created_at', tracker.core.models.UTCDateTime(timezone=True)),
        sa.column('updated_at', tracker.core.models.UTCDateTime(timezone=True)),
    )
    now = datetime.now(timezone.utc)
    op.bulk_insert(rules, [
        {**dict(zip(DEFAULT_RULE_COLUMNS, values)), **flags, 'active': True,
         'created_at': now, 'updated_at': now}
        for values, flags in DEFAULT_RULES
    ])


def downgrade():
    op.execute("DELETE FROM user_roles WHERE role = 'security_officer'")
    op.execute("DELETE FROM documents WHERE kind IN ('insurance', 'visa')")
    op.execute("DELETE FROM events WHERE action = 'opinion'")
    op.execute("DELETE FROM applications WHERE funding = 'unit'")
    for table, name, old, new in WIDENED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(name), type_='check')
            batch_op.create_check_constraint(op.f(name), old)

    with op.batch_alter_table('laboratories', schema=None) as batch_op:
        batch_op.drop_column('restricted_zone')

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_applications_funding_programme'), type_='check')
        batch_op.drop_constraint(op.f('ck_applications_funding'), type_='check')
        batch_op.alter_column('programme_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('budget_line')
        batch_op.drop_column('funding')

    with op.batch_alter_table('opinions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opinions_author_id'))
        batch_op.drop_index('ix_opinions_application_id_kind_id')

    op.drop_table('opinions')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_user_id'))
        batch_op.drop_index(batch_op.f('ix_invitations_invited_by_id'))
        batch_op.drop_index(batch_op.f('ix_invitations_host_laboratory_id'))
        batch_op.drop_index(batch_op.f('ix_invitations_application_id'))

    op.drop_table('invitations')
    with op.batch_alter_table('cost_items', schema=None) as batch_op:
        batch_op.drop_index('ix_cost_items_application_id_position')

    op.drop_table('cost_items')
    op.drop_table('countries')
    op.drop_table('requirement_rules')
