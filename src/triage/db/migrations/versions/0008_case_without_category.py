"""cases without a category: `cases.category` and `cases.risk` may be NULL for a partially labelled case that only
rules categories out (`Case.category`)

Revision ID: 0008_case_without_category
Revises: 0007_case_unknown
Create Date: 2026-12-03 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_case_without_category"
down_revision = "0007_case_unknown"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.alter_column("category", existing_type=sa.String(60), nullable=True)
        batch_op.alter_column("risk", existing_type=sa.String(20), nullable=True)


def downgrade() -> None:
    # the older schema cannot hold a case without a category; refuse rather than drop cases silently
    left = op.get_bind().execute(sa.text("SELECT COUNT(*) FROM cases WHERE category IS NULL")).scalar_one()
    if left:
        raise RuntimeError(f"{left} cases have no category (partially labelled imports): delete those rows "
                           "and their points first, or keep this schema version")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.alter_column("category", existing_type=sa.String(60), nullable=False)
        batch_op.alter_column("risk", existing_type=sa.String(20), nullable=False)
