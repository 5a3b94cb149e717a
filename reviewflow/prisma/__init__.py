"""PRISMA 2020 flow: counts derived from the store, and the diagram drawn from them."""
