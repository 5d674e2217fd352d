"""`python -m api.cli …`: the same as the `taizhang` console script."""

from . import main

main()
