"""The bank IVR example: ``bank.toml`` on a SQLite core-banking simulator, on ``emu://``."""
