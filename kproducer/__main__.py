"""``python -m kproducer`` is the same as the ``kproducer`` command."""

import sys

from kproducer.cli import main

if __name__ == "__main__":
    sys.exit(main())
