"""``python -m boardlib.tools.list_boards``: print the URL of every board that can be opened."""

from __future__ import annotations

from boardlib.drivers import list_boards


def main() -> int:
    for url in list_boards():
        print(url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
