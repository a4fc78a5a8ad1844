"""boardlib.emulator: a software voice board and telephone exchange.

The emulated board implements the same C driver ABI as a vendor board; the exchange and the
scripted parties on its line side are Python and speak to the board through real audio.
"""
