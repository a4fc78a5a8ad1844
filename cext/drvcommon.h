/*
 * drvcommon.h - pieces shared by the built-in drivers (loop and emu): option parsing, fault
 * injection, entry checks of read/write, the commands both drivers treat alike, an event
 * queue with an eventfd, a byte FIFO and the error texts.
 *
 * Everything here works on state owned by one board; there is no global mutable state, so
 * several boards can be open at once.
 */
#ifndef BOARDLIB_DRVCOMMON_H
#define BOARDLIB_DRVCOMMON_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "boardlib_abi.h"

/* Operations a fault can be attached to ("fail=OP:CODE[@N]"). */
enum {
    BL_OP_OPEN = 0,
    BL_OP_CLOSE,
    BL_OP_READ,
    BL_OP_WRITE,
    BL_OP_NEXT_EVENT,
    BL_OP_COMMAND,
    BL_OP_CHANNEL_INFO,
    BL_OP_EVENT_FD,
    BL_OP_COUNT
};

#define BL_MAX_CHANNELS 4096
#define BL_MAX_FRAME 8000
#define BL_MAX_SPANS 16

typedef struct {
    int code;          /* 0: no fault; else the negative code returned */
    int64_t from;      /* fail the from-th call and every later one (1 = every call) */
    int64_t calls;     /* calls counted so far */
} bl_fault_t;

typedef struct {
    int channels;      /* -1 when not given */
    int codec;         /* BL_CODEC_* */
    int frame;         /* samples per frame */
    int spans;         /* E1 spans (emu only) */
    int realtime;      /* clock=realtime (loop only): frames paced by the wall clock */
    bl_fault_t faults[BL_OP_COUNT];
} bl_options_t;

/* Option keys a driver accepts (bit set passed to bl_options_parse). */
#define BL_OPT_SPANS 1u
#define BL_OPT_CLOCK 2u   /* clock=virtual|realtime */

/* Parse "key=value&key=value". Returns BL_OK or BL_EINVAL (unknown key, bad value). */
int bl_options_parse(const char *text, unsigned allowed, bl_options_t *opts);
/* First steps of every driver's open: check board, clear *board, parse the options and count
   the open call for the fail option. BL_OK or the code to return. */
int bl_open_options(const char *text, unsigned allowed, bl_board_t **board, bl_options_t *opts);
/* Parse one fault "OP:CODE[@N]" of len characters into faults[]. BL_OK or BL_EINVAL. */
int bl_fault_parse(const char *spec, size_t len, bl_fault_t *faults);
/* Count one call of op; return its injected code (negative) or 0. */
int bl_fault_hit(bl_fault_t *faults, int op);

/* Lock and unlock of a board struct holding `pthread_mutex_t lock`. */
#define BL_LOCK(b) pthread_mutex_lock(&(b)->lock)
#define BL_UNLOCK(b) pthread_mutex_unlock(&(b)->lock)

/* Checks of a read or write of n frames on a board of nchan channels (frame_ok: the driver
   accepts frame_len). Returns 1 to go on, 0 for "nothing to do" (n == 0), BL_EINVAL or
   BL_ENODEV. */
int bl_check_io(int nchan, const int32_t *channels, int n, const void *buf, int frame_ok);

/* Per-channel state the shared commands act on. */
typedef struct {
    int hook;          /* 1 off-hook */
    int rx_gain, tx_gain;
} bl_line_t;

/* OFFHOOK / ONHOOK (event on a change only), FLASH (0..10000 ms, off-hook, else
   BL_ESTATE), SET_CAS (0..15), RX_GAIN / TX_GAIN (-300..300, stored). Returns BL_OK with
   *ev_type the event to report (BL_EV_NONE for none) and *ev_value its value, BL_EINVAL,
   BL_ESTATE, or BL_ENOTSUP for any other command. */
int bl_line_command(bl_line_t *line, int command, int64_t arg, int32_t *ev_type,
                    int32_t *ev_value);

/* Octets per unit of a codec (2 for slin, 1 for the laws). */
size_t bl_codec_unit(int codec);
/* Fill units of silence in the codec: 0xD5 A-law, 0xFF mu-law, 0 slin. */
void bl_fill_silence(void *dst, size_t units, int codec);
/* Text for a BL_E* code. */
const char *bl_common_strerror(int code);

/* A queue of events; when it has an eventfd, the fd is readable while events are queued. */
typedef struct {
    bl_event_t *ev;
    size_t head, count, cap, max;
    int fd;            /* -1 without an eventfd */
} bl_evq_t;

int bl_evq_init(bl_evq_t *q, size_t max, int with_fd);
void bl_evq_free(bl_evq_t *q);
/* Append; when max events are queued the oldest is dropped. BL_OK or BL_ENOMEM. */
int bl_evq_push(bl_evq_t *q, int32_t type, int32_t channel, int64_t sample, int32_t value);
/* 1 = event stored in *e, 0 = queue empty. */
int bl_evq_pop(bl_evq_t *q, bl_event_t *e);
/* Wait up to timeout_ms for the eventfd to become readable (the queue lock must not be held
   by the caller while waiting). Returns at once without an fd. */
void bl_evq_wait(const bl_evq_t *q, int timeout_ms);
/* Pop with the lock held; when the queue is empty and timeout_ms > 0, release lock while
   waiting for the eventfd and try once more. 1 = event stored, 0 = none. */
int bl_evq_pop_wait(bl_evq_t *q, pthread_mutex_t *lock, int timeout_ms, bl_event_t *e);

/* A growable ring of octets holding whole codec units. */
typedef struct {
    uint8_t *buf;
    size_t head, len, cap, max;
} bl_fifo_t;

void bl_fifo_init(bl_fifo_t *f, size_t max);
void bl_fifo_free(bl_fifo_t *f);
void bl_fifo_clear(bl_fifo_t *f);
/* Append bytes. If the result would exceed max: with drop_oldest the oldest octets are
   dropped (*dropped tells how many) else nothing is appended and BL_ENOMEM returned. */
int bl_fifo_push(bl_fifo_t *f, const void *data, size_t bytes, int drop_oldest, size_t *dropped);
/* Take up to bytes octets, oldest first; returns the count taken. */
size_t bl_fifo_pop(bl_fifo_t *f, void *out, size_t bytes);

#endif /* BOARDLIB_DRVCOMMON_H */
