/*
 * boardlib_abi.h - the vendor-neutral board driver ABI, version 1.
 *
 * A board driver is a shared library exporting one symbol, bl_driver_entry(), which returns
 * a pointer to a constant function table (bl_driver_v1_t). The table opens with the ABI
 * version, its own size and the driver's name, so a loader can refuse a driver built for
 * another version before calling anything in it.
 *
 * Conventions
 *   - Every function returns int: 0 or more is success (or a count), a negative value is one
 *     of the BL_E* codes below. strerror(code) gives the driver's text for a code.
 *   - Audio moves in frames of G.711 octets or int16 samples, 8000 samples per second, for
 *     many channels in one call.
 *   - Events are pulled (next_event); a driver whose SDK pushes callbacks queues them and
 *     makes event_fd() readable. No driver thread ever calls into the application.
 *   - The host waits on event_fd() (see "The event file descriptor" below) instead of
 *     polling read and next_event; a driver without one makes the host poll.
 *
 * This file is the single source of truth: the cffi binding reads the declarations between
 * the BL_CDEF markers below.
 */
#ifndef BOARDLIB_ABI_H
#define BOARDLIB_ABI_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BL_ABI_VERSION 1
#define BL_ENTRY_SYMBOL "bl_driver_entry"

/* BL_CDEF_BEGIN */
enum {
    BL_OK = 0,
    BL_EINVAL = -1,      /* invalid argument */
    BL_ENODEV = -2,      /* no such board or channel */
    BL_EBUSY = -3,       /* resource in use */
    BL_ESTATE = -4,      /* command not valid in the channel's state */
    BL_EIO = -5,         /* hardware or transport failure */
    BL_ENOMEM = -6,      /* out of memory */
    BL_ETIMEDOUT = -7,   /* the operation timed out */
    BL_EREMOVED = -8,    /* the board was removed */
    BL_ENOTSUP = -9,     /* not supported by this driver */
    BL_EOVERRUN = -10,   /* frames were lost (receive overrun) */
    BL_EUNDERRUN = -11   /* the transmit queue ran dry */
};

typedef enum {
    BL_CHAN_FXO = 1,     /* analog trunk: the board is the telephone */
    BL_CHAN_FXS = 2,     /* analog station: the board is the exchange */
    BL_CHAN_E1 = 3       /* E1 timeslot with CAS */
} bl_chan_type_t;

typedef enum {
    BL_CODEC_SLIN16 = 0, /* int16 linear, host byte order */
    BL_CODEC_ALAW = 8,   /* G.711 A-law (RTP payload type numbering) */
    BL_CODEC_ULAW = 0x100
} bl_codec_t;

typedef enum {
    BL_EV_NONE = 0,
    BL_EV_RING_ON = 1,
    BL_EV_RING_OFF = 2,
    BL_EV_OFFHOOK = 3,
    BL_EV_ONHOOK = 4,
    BL_EV_FLASH = 5,
    BL_EV_POLARITY = 6,
    BL_EV_CAS = 7,       /* value: new ABCD bits */
    BL_EV_ALARM = 8,     /* value: alarm bit set (BL_ALARM_*) */
    BL_EV_OVERRUN = 9,
    BL_EV_UNDERRUN = 10,
    BL_EV_REMOVED = 11,
    BL_EV_LOOP_DROP = 12, /* loop current dropped: the far end cleared (FXO) */
    BL_EV_DIGIT = 13     /* value: a DTMF key (ASCII) the hardware detected where the board
                            cannot hear the audio (a half-duplex voice modem playing) */
} bl_event_type_t;

typedef enum {
    BL_CMD_OFFHOOK = 1,     /* seize / answer */
    BL_CMD_ONHOOK = 2,      /* release */
    BL_CMD_FLASH = 3,       /* argument: flash duration in ms */
    BL_CMD_RING_START = 4,  /* FXS: ring the station with the board's cadence */
    BL_CMD_RING_STOP = 5,
    BL_CMD_SET_CAS = 6,     /* E1: argument = ABCD bits to transmit (0..15) */
    BL_CMD_RX_GAIN = 7,     /* argument: gain in tenths of a dB */
    BL_CMD_TX_GAIN = 8,
    BL_CMD_POLARITY = 9     /* FXS: reverse the line polarity (argument 0/1) */
} bl_command_t;

enum {
    BL_ALARM_LOS = 1,       /* loss of signal */
    BL_ALARM_AIS = 2,       /* alarm indication signal (all ones) */
    BL_ALARM_RAI = 4,       /* remote alarm indication (yellow) */
    BL_ALARM_LOF = 8        /* loss of frame alignment (red) */
};

typedef struct {
    int32_t type;        /* bl_event_type_t */
    int32_t channel;     /* channel index, -1 for the whole board */
    int64_t sample;      /* board sample clock when it happened */
    int32_t value;       /* type-dependent */
    int32_t reserved;
} bl_event_t;

typedef struct {
    int32_t type;        /* bl_chan_type_t */
    int32_t codec;       /* bl_codec_t of the frames read and written */
    int32_t span;        /* span (trunk) index, 0 for analog boards */
    int32_t timeslot;    /* E1 timeslot 1..31, 0 for analog */
} bl_channel_info_t;

typedef struct bl_board bl_board_t;

typedef struct {
    uint32_t abi_version;   /* BL_ABI_VERSION the driver was built against */
    uint32_t struct_size;   /* sizeof(bl_driver_v1_t) in the driver */
    const char *name;

    int (*board_open)(const char *options, bl_board_t **board);
    int (*board_close)(bl_board_t *board);
    int (*channel_count)(bl_board_t *board);
    int (*channel_info)(bl_board_t *board, int channel, bl_channel_info_t *info);
    /* Read one frame of frame_len samples for each of n channels into buf (n * frame_len
       units of the channels' codec). Returns frames read (0 when none is ready yet). */
    int (*read)(bl_board_t *board, const int32_t *channels, int n, void *buf, int frame_len);
    int (*write)(bl_board_t *board, const int32_t *channels, int n, const void *buf,
                 int frame_len);
    /* Wait up to timeout_ms (0: poll) for an event. 1 = event stored, 0 = none. */
    int (*next_event)(bl_board_t *board, int timeout_ms, bl_event_t *event);
    /* The board's event file descriptor (0 or more), or a negative code when it has none
       (BL_ENOTSUP). What makes it readable is defined under "The event file descriptor". */
    int (*event_fd)(bl_board_t *board);
    int (*command)(bl_board_t *board, int channel, int command, int64_t argument);
    int (*get_alarms)(bl_board_t *board, int span);
    const char *(*strerror)(int code);
} bl_driver_v1_t;

/* The loader (cext/loader.c): open a driver library and check its table. Returns BL_OK and
   sets *driver, or a negative code with a message in errbuf. */
int bl_loader_open(const char *path, const bl_driver_v1_t **driver, void **handle,
                   char *errbuf, size_t errlen);
int bl_loader_close(void *handle);
/* BL_CDEF_END */

/*
 * The event file descriptor
 *
 * event_fd() returns a file descriptor the host waits on for "something to do" - with
 * poll/epoll, or asyncio's add_reader - between reads, instead of polling.
 *
 *   Readable (POLLIN) while either holds:
 *     - at least one event is queued, i.e. next_event(board, 0, &e) would return 1;
 *     - on a board paced by its own clock (a hardware board, whose read returns 0 until the
 *       next frame has arrived): a frame is ready on every channel, i.e. a read of the
 *       board's frame (the frame length it was opened with) on all its channels would return
 *       frames rather than 0. A board that always has a frame (a virtual clock, advanced by
 *       its host, whose read never returns 0) signals events only.
 *   Level-triggered: the fd stays readable as long as either condition holds and stops
 *   being readable once next_event has drained the queue and read has taken the ready
 *   frames. A wakeup with nothing to do (a race with a frame or event just taken) is
 *   harmless, but the fd must not stay readable while neither condition holds: a host
 *   waiting on it would spin.
 *   Owned by the driver: the host only polls it for readability. It never reads, writes or
 *   closes it, and never changes its flags; clearing its readiness is the driver's business
 *   (an eventfd drained as the queue empties, a timerfd re-armed for the next frame, an
 *   epoll fd over several such fds, a device node - whatever the driver chooses).
 *   Lifetime: the same fd from board_open until board_close, which closes it; the host may
 *   call event_fd() once and keep the number. event_fd() does not block.
 *   No fd: a driver that cannot provide one returns BL_ENOTSUP. The host treats every
 *   negative return the same way: it polls, calling read (after the pending events) about
 *   every quarter of a frame until a frame is ready.
 *
 * These rules tighten the wording of version 1 and change nothing in the table. A version 1
 * driver whose fd signals events only, while its read can return 0, still works with
 * boardlib: the host waits at most two frame periods on the fd, and once a frame has been
 * ready a few times running when such a wait ran out (the fd did not say so), it stops
 * waiting on that board's fd and polls. A host only waits after read returned 0, so the fd
 * of a board that always has a frame is never waited on between frames.
 */

typedef const bl_driver_v1_t *(*bl_driver_entry_fn)(void);

#ifdef __cplusplus
}
#endif
#endif /* BOARDLIB_ABI_H */
