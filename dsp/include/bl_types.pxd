# Fixed-width C types and small helpers shared by the boardlib.dsp kernels.
from libc.stdint cimport int16_t, int32_t, int64_t, uint8_t, uint32_t, uint64_t
