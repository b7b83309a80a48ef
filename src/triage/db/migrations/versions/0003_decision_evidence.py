"""decisions: the critical detector's evidence and secondary categories

Revision ID: 0003_decision_evidence
Revises: 0002_reviews
Create Date: 2026-11-30 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_decision_evidence"
down_revision = "0002_reviews"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("critical", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("also", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("also")
        batch_op.drop_column("critical")
