"""``python -m boardlib`` runs the command-line tool."""

from boardlib.cli import main

raise SystemExit(main())
