"""A small core-banking host for the bank IVR: SQLite (standard library) with customers,
cards, accounts, transactions, FX rates and each customer's menu shortcuts, realistic
latency, and injectable failures.

The host is an async callable ``host(function, payload) -> dict`` as the IVR engine expects.
Latency is waited with the ``sleep`` coroutine it is given (the board's media-time sleep, so
an emulated board with a virtual clock needs no wall time). Failures are injected per
function: ``host.fail["balances"] = "error"`` (the host raises) or ``"timeout"`` (it never
answers), or ``host.slow["balances"] = 7.0`` (it answers after 7 media seconds);
``host.fail["balances:C003"]`` fails the function for one customer only.

PINs are stored as salted PBKDF2 hashes, never in clear.

Shortcuts are stored per customer (table ``shortcuts``: customer, position, name), in the
customer's order; the names are the flow's ``[shortcuts.NAME]`` tables, which the host does
not know: a name the flow no longer has stays stored, and the IVR skips it. The profile
(``lookup_by_number``, ``lookup_by_card``) carries them as ``shortcuts``; ``shortcuts``
reads them, ``save_shortcut`` adds one ("make this my shortcut": at most
:data:`MAX_SHORTCUTS`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

__all__ = ["BankHost", "CUSTOMERS", "HostDown", "MAX_SHORTCUTS"]

SCHEMA = """
CREATE TABLE customers (id TEXT PRIMARY KEY, name TEXT, phone TEXT, language TEXT,
                        services TEXT, menu_order TEXT, pin_hash TEXT, pin_salt TEXT);
CREATE TABLE cards (number TEXT PRIMARY KEY, customer TEXT, status TEXT);
CREATE TABLE accounts (customer TEXT, kind TEXT, balance_fen INTEGER,
                       PRIMARY KEY (customer, kind));
CREATE TABLE transactions (id INTEGER PRIMARY KEY, customer TEXT, day TEXT, kind TEXT,
                           amount_fen INTEGER, memo TEXT);
CREATE TABLE fx_rates (currency TEXT PRIMARY KEY, rate TEXT);
CREATE TABLE complaints (id INTEGER PRIMARY KEY, customer TEXT, recording TEXT, seconds REAL);
CREATE TABLE shortcuts (customer TEXT, position INTEGER, name TEXT,
                        PRIMARY KEY (customer, position), UNIQUE (customer, name));
"""

#: Shortcuts a customer may keep (a menu offers at most 4 beside "other services").
MAX_SHORTCUTS = 4

#: The customers the simulator starts with (PINs here only to seed the hashes and the tests).
CUSTOMERS: list[dict[str, Any]] = [
    {"id": "C001", "name": "Zhang San", "phone": "13800138000", "language": "zh",
     "services": ["fx_trading"], "menu_order": None, "pin": "123456",
     "card": "6222021234567894", "current": "12345.67", "savings": "50000.00"},
    {"id": "C002", "name": "Li Si", "phone": "13900139000", "language": "zh", "services": [],
     "menu_order": ["agent", "accounts", "card_services", "transfer"], "pin": "654321",
     "card": "6228480044332218", "current": "88.50", "savings": "1000.00"},
    {"id": "C003", "name": "Mary Smith", "phone": "13700137000", "language": "en",
     "services": ["fx_trading"], "menu_order": None, "pin": "112233",
     "card": "6217001122334455", "current": "2048.00", "savings": "300.00"},
    # customers with the "shortcuts" service keep their usual choices; Wang Wu's two do not
    # fit beside his five options (other services are one key down); Zhao Liu kept the
    # FX rates from before she gave up FX trading (skipped) and her recent transactions
    {"id": "C004", "name": "Wang Wu", "phone": "13500135000", "language": "en",
     "services": ["fx_trading", "shortcuts"], "menu_order": None, "pin": "135790",
     "card": "6222025555666672", "current": "7300.25", "savings": "15000.00",
     "shortcuts": ["balance", "to_savings"]},
    {"id": "C005", "name": "Zhao Liu", "phone": "13300133000", "language": "zh",
     "services": ["shortcuts"], "menu_order": None, "pin": "246802",
     "card": "6217009988776651", "current": "560.00", "savings": "9000.00",
     "shortcuts": ["fx", "recent"]},
]


class HostDown(Exception):
    """The simulated host failed to process a request."""


def _hash(pin: str, salt: str) -> str:
    return hashlib.pbkdf2_hmac("sha256", pin.encode(), salt.encode(), 1000).hex()


def _fen(amount: Any) -> int:
    return int((Decimal(str(amount)) * 100).to_integral_value())


def _yuan(fen: int) -> str:
    return str(Decimal(fen) / 100)


class BankHost:
    """The core-banking simulator. ``latency`` is media seconds per request."""

    def __init__(self, sleep: Callable[[float], Awaitable[None]] | None = None,
                 latency: float = 0.3, path: str = ":memory:") -> None:
        self.sleep = sleep or asyncio.sleep
        self.latency = latency
        self.fail: dict[str, str] = {}
        self.slow: dict[str, float] = {}
        self.requests: list[tuple[str, dict[str, Any]]] = []  # payloads with PINs removed
        self.db = sqlite3.connect(path)
        self.db.executescript(SCHEMA)
        today = dt.date(2026, 11, 20)
        for i, c in enumerate(CUSTOMERS):
            salt = f"salt-{c['id']}"
            self.db.execute("INSERT INTO customers VALUES (?,?,?,?,?,?,?,?)",
                            (c["id"], c["name"], c["phone"], c["language"],
                             json.dumps(c["services"]), json.dumps(c["menu_order"]),
                             _hash(c["pin"], salt), salt))
            self.db.execute("INSERT INTO cards VALUES (?,?,?)", (c["card"], c["id"], "active"))
            self.set_shortcuts(c["id"], c.get("shortcuts", []))
            for kind in ("current", "savings"):
                self.db.execute("INSERT INTO accounts VALUES (?,?,?)",
                                (c["id"], kind, _fen(c[kind])))
            for j in range(3 + i):
                self.db.execute("INSERT INTO transactions (customer, day, kind, amount_fen, memo) "
                                "VALUES (?,?,?,?,?)",
                                (c["id"], (today - dt.timedelta(days=7 * j)).isoformat(), "current",
                                 -(1000 * (j + 1) + 50 * i), "card payment"))
        self.db.executemany("INSERT INTO fx_rates VALUES (?,?)",
                            [("USD", "7.1234"), ("EUR", "7.7645"), ("JPY", "0.0472")])
        self.db.commit()

    async def __call__(self, function: str, payload: dict[str, Any]) -> dict[str, Any]:
        self.requests.append((function, {k: ("***" if "pin" in k or k in ("old", "new", "again")
                                             else v) for k, v in payload.items()}))
        mode = self.fail.get(function) or self.fail.get(f"{function}:{payload.get('customer')}")
        await self.sleep(self.latency + self.slow.get(function, 0.0))
        if mode == "timeout":
            await asyncio.Event().wait()  # never answers: the engine's link timeout fires
        if mode == "error":
            raise HostDown(f"{function}: host error")
        handler = getattr(self, "fn_" + function, None)
        if handler is None:
            raise HostDown(f"unknown host function {function!r}")
        return handler(**payload)  # type: ignore[no-any-return]

    # ---- helpers
    def _profile(self, row: Any) -> dict[str, Any]:
        if row is None:
            return {"found": False}
        cid, name, _phone, lang, services, order = row
        card = self.db.execute("SELECT number FROM cards WHERE customer=? AND status='active'",
                               (cid,)).fetchone()
        return {"found": True, "customer_id": cid, "name": name, "language": lang,
                "services": json.loads(services), "menu_order": json.loads(order),
                "shortcuts": self._shortcuts(cid), "card": card[0] if card else None}

    def _shortcuts(self, customer: str) -> list[str]:
        rows = self.db.execute("SELECT name FROM shortcuts WHERE customer=? ORDER BY position",
                               (customer,)).fetchall()
        return [r[0] for r in rows]

    _COLS = "id, name, phone, language, services, menu_order"

    # ---- business functions
    def fn_lookup_by_number(self, number: str | None = None) -> dict[str, Any]:
        row = self.db.execute(f"SELECT {self._COLS} FROM customers WHERE phone=?",
                              (number or "",)).fetchone()
        return self._profile(row)

    def fn_lookup_by_card(self, card: str) -> dict[str, Any]:
        row = self.db.execute(f"SELECT {self._COLS} FROM customers JOIN cards ON cards.customer="
                              "customers.id WHERE cards.number=? AND cards.status='active'",
                              (card,)).fetchone()
        return self._profile(row)

    def fn_verify_pin(self, customer: str, pin: str) -> dict[str, Any]:
        row = self.db.execute("SELECT pin_hash, pin_salt FROM customers WHERE id=?",
                              (customer,)).fetchone()
        return {"ok": bool(row) and _hash(str(pin), row[1]) == row[0]}

    def fn_balances(self, customer: str) -> dict[str, Any]:
        rows = dict(self.db.execute("SELECT kind, balance_fen FROM accounts WHERE customer=?",
                                    (customer,)).fetchall())
        return {"ok": True, **{k: _yuan(v) for k, v in rows.items()}}

    def fn_recent_transactions(self, customer: str) -> dict[str, Any]:
        rows = self.db.execute("SELECT day, kind, amount_fen, memo FROM transactions WHERE "
                               "customer=? ORDER BY day DESC, id DESC LIMIT 5",
                               (customer,)).fetchall()
        items = [{"date": d, "account": k, "amount": _yuan(a), "memo": m} for d, k, a, m in rows]
        return {"ok": True, "count": len(items), "items": items,
                "last": items[0] if items else None}

    def fn_transfer(self, customer: str, amount: str, to: str, **kw: Any) -> dict[str, Any]:
        src = kw["from"]
        fen = _fen(amount)
        cur = self.db.execute("SELECT balance_fen FROM accounts WHERE customer=? AND kind=?",
                              (customer, src)).fetchone()
        if cur is None or fen <= 0 or cur[0] < fen or src == to:
            return {"ok": False, "reason": "insufficient_funds",
                    "balance": _yuan(cur[0] if cur else 0)}
        with self.db:
            self.db.execute("UPDATE accounts SET balance_fen=balance_fen-? WHERE customer=? AND "
                            "kind=?", (fen, customer, src))
            self.db.execute("UPDATE accounts SET balance_fen=balance_fen+? WHERE customer=? AND "
                            "kind=?", (fen, customer, to))
            day = dt.date(2026, 11, 25).isoformat()
            self.db.execute("INSERT INTO transactions (customer, day, kind, amount_fen, memo) "
                            "VALUES (?,?,?,?,?)", (customer, day, src, -fen, f"to {to}"))
            self.db.execute("INSERT INTO transactions (customer, day, kind, amount_fen, memo) "
                            "VALUES (?,?,?,?,?)", (customer, day, to, fen, f"from {src}"))
        return {"ok": True, "balance": _yuan(cur[0] - fen)}

    def fn_fx_rates(self) -> dict[str, Any]:
        rates = self.db.execute("SELECT currency, rate FROM fx_rates").fetchall()
        return {"ok": True, **dict(rates)}

    def fn_report_lost_card(self, customer: str) -> dict[str, Any]:
        with self.db:
            n = self.db.execute("UPDATE cards SET status='lost' WHERE customer=? AND "
                                "status='active'", (customer,)).rowcount
        return {"ok": n > 0, "blocked": n}

    def fn_change_pin(self, customer: str, old: str, new: str, again: str) -> dict[str, Any]:
        if new != again or not self.fn_verify_pin(customer, old)["ok"]:
            return {"ok": False, "reason": "mismatch"}
        salt = f"salt-{customer}-2"
        with self.db:
            self.db.execute("UPDATE customers SET pin_hash=?, pin_salt=? WHERE id=?",
                            (_hash(new, salt), salt, customer))
        return {"ok": True}

    def fn_file_complaint(self, customer: str | None, recording: str,
                          seconds: float) -> dict[str, Any]:
        with self.db:
            cur = self.db.execute("INSERT INTO complaints (customer, recording, seconds) "
                                  "VALUES (?,?,?)", (customer, recording, seconds))
        return {"ok": True, "ticket": cur.lastrowid}

    def fn_shortcuts(self, customer: str) -> dict[str, Any]:
        return {"ok": True, "shortcuts": self._shortcuts(customer)}

    def fn_save_shortcut(self, customer: str, shortcut: str) -> dict[str, Any]:
        """Add ``shortcut`` after the customer's others ("make this my shortcut"); refused
        when the customer already keeps :data:`MAX_SHORTCUTS`."""
        have = self._shortcuts(customer)
        if shortcut in have:
            return {"ok": True, "shortcuts": have}
        if len(have) >= MAX_SHORTCUTS or not isinstance(shortcut, str) or \
                not shortcut.isidentifier():
            return {"ok": False, "reason": "full" if len(have) >= MAX_SHORTCUTS else "bad_name",
                    "shortcuts": have}
        with self.db:
            self.db.execute("INSERT INTO shortcuts VALUES (?,?,?)",
                            (customer, len(have), shortcut))
        return {"ok": True, "shortcuts": have + [shortcut]}

    # ---- administration, inspection for reports and tests
    def set_shortcuts(self, customer: str, names: list[str]) -> None:
        """Replace a customer's stored shortcuts (in this order; any names)."""
        with self.db:
            self.db.execute("DELETE FROM shortcuts WHERE customer=?", (customer,))
            self.db.executemany("INSERT INTO shortcuts VALUES (?,?,?)",
                                [(customer, i, n) for i, n in enumerate(names)])

    def shortcuts_of(self, customer: str) -> list[str]:
        return self._shortcuts(customer)

    def balance(self, customer: str, kind: str) -> str:
        row = self.db.execute("SELECT balance_fen FROM accounts WHERE customer=? AND kind=?",
                              (customer, kind)).fetchone()
        return _yuan(row[0])

    def card_status(self, card: str) -> str:
        return self.db.execute("SELECT status FROM cards WHERE number=?", (card,)).fetchone()[0]

    def pin_is(self, customer: str, pin: str) -> bool:
        return self.fn_verify_pin(customer, pin)["ok"]

    def complaints(self) -> list[tuple[Any, ...]]:
        return self.db.execute("SELECT customer, recording, seconds FROM complaints").fetchall()
