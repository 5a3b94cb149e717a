"""The review store: SQLModel tables, engine set-up, migrations and small queries.

Everything a reviewer decides is a row with who and when; counts (PRISMA, kappa,
conflicts) are derived from these rows, never stored twice.
"""
