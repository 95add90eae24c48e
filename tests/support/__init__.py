"""What the tests share (no tests here). `pyproject.toml` puts `tests/` on the path, so every test
folder imports it the same way: `from support.world import Region`.

    world/        the one scenario world: the region builder, the hand-computed indicators
                  scenario, and the same region served over HTTP (API, staff workspace)
    stores.py     the stores tests run on: PostgreSQL's address, fresh stores of each kind
    importing.py  files to import, written the ways real files are
    view_reads.py the views as the production read queries give them
    …             helpers of one area each (public page, transparency, axe, histories)
"""
