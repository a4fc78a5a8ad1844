/*
 * emudrv.c - the emulated board: the board side is an ordinary bl_driver_v1_t driver, the
 * line side is driven through the bl_emu_* functions of emu_line.h.
 *
 * Channels: `channels` analog lines (BL_CHAN_FXO, span 0, timeslot 0) come first, then
 * `stations` analog station ports (BL_CHAN_FXS, span 0, timeslot 0), then `spans` E1 spans
 * of 30 channels each (BL_CHAN_E1, spans numbered from 1, timeslots 1-15 and 17-31). get_alarms(0) is 0 (analog lines have no span alarms); get_alarms(s) for an E1
 * span s returns its BL_ALARM_* bits.
 *
 * Time: the board clock only moves in bl_emu_tick(), by one frame (`frame` samples). Each
 * channel has a "current frame" slot: a tick fills it from the line-side queue, then from
 * the loop buffer, then with idle code (0xD5 A-law, 0xFF mu-law, 0 slin). The board's read
 * copies the slots, so reading twice in one tick gives the same frame; read and write take
 * exactly `frame` samples per channel (else BL_EINVAL). Before the first tick the slots hold
 * silence. The board's write stores one frame per channel for the tick (the last write wins);
 * at the next tick, for a monitored channel, that frame - or idle code if the board wrote
 * nothing - is appended to the capture queue read by bl_emu_line_receive(), so the captured
 * audio stays aligned with the board clock. The capture queue keeps the newest 60 seconds.
 *
 * Commands: OFFHOOK / ONHOOK set the hook state (line event only on a change); FLASH needs
 * the channel off-hook (else BL_ESTATE) and takes 0..10000 ms; SET_CAS (0..15) is for E1
 * channels only; RING_START / RING_STOP / POLARITY are for FXS station ports only (else
 * BL_ENOTSUP); RX_GAIN / TX_GAIN (-300..300) are stored and do not alter the audio.
 *
 * Station ports (FXS): the board is the exchange, the station's handset is on the line side.
 * RING_START queues BL_EV_RING_ON to the line side and RING_STOP BL_EV_RING_OFF, on a change
 * only: the ring cadence is the caller's business, this board only reports the ringing
 * voltage turning on and off. RING_START while the station is off-hook is BL_ESTATE. The
 * station lifting its handset (bl_emu_line_signal BL_EV_OFFHOOK) trips the ringing: it stops
 * at once, without a RING_OFF line event. POLARITY (argument 0/1) queues BL_EV_POLARITY with
 * the argument. The board never goes off-hook on a station port: OFFHOOK and FLASH are
 * BL_ESTATE there; ONHOOK releases the port: ringing stops (RING_OFF) and, while the station
 * is off-hook, BL_EV_LOOP_DROP tells the line side that the board cleared the call.
 *
 * Event fd: an eventfd, readable while board events are queued. The board's frames are always
 * ready (its clock is the host's bl_emu_tick), so by the ABI's rule the fd signals events only.
 *
 * Faults (bl_emu_fault): "OP:CODE[@N]" as the fail option, "overrun" (the next read raises
 * BL_EV_OVERRUN on channel -1 and returns BL_EOVERRUN), "remove" (BL_EV_REMOVED is queued;
 * once the queue is drained next_event returns BL_EREMOVED, and every other call but
 * board_close returns BL_EREMOVED at once).
 */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "drvcommon.h"
#include "emu_line.h"

#define EMU_MAGIC 0x454D5531u /* "EMU1" */
#define EMU_MAX_EVENTS 65536
#define EMU_SEND_MAX_UNITS ((size_t) 8000 * 3600)   /* line-side queue: one hour */
#define EMU_CAPTURE_UNITS ((size_t) 8000 * 60)      /* capture: newest minute */
#define EMU_LOOP_MAX_UNITS ((size_t) 8000 * 60)
#define E1_SLOTS 30

typedef struct {
    int type, span, timeslot;
    bl_fifo_t rx;          /* line -> board */
    uint8_t *loop;         /* repeated while rx is empty */
    size_t loop_len, loop_pos;
    bl_fifo_t capture;     /* board -> line, while monitoring */
    int monitor;
    int tx_written;
    bl_line_t line;        /* hook state and gains */
    int ringing;           /* FXS: the board is ringing the station */
    int station_hook;      /* FXS: 1 while the station's handset is off-hook */
} emu_chan_t;

typedef struct bl_board {
    uint32_t magic;
    pthread_mutex_t lock;
    bl_options_t opts;
    int nchan, nlines, nstations;
    size_t unit, fbytes;
    emu_chan_t *ch;
    uint8_t *cur;          /* nchan frames: what the board reads this tick */
    uint8_t *tx;           /* nchan frames: what the board wrote this tick */
    bl_evq_t events;       /* line -> board, with an eventfd */
    bl_evq_t line_events;  /* board -> line */
    int64_t clock;
    int alarms[BL_MAX_SPANS + 1];
    int overrun_pending;
    int removed;
} emu_board_t;

static int valid(const emu_board_t *b)
{
    return b != NULL && b->magic == EMU_MAGIC;
}

static void emu_free(emu_board_t *b)
{
    int i;

    if (b->ch != NULL)
        for (i = 0; i < b->nchan; i++) {
            bl_fifo_free(&b->ch[i].rx);
            bl_fifo_free(&b->ch[i].capture);
            free(b->ch[i].loop);
        }
    free(b->ch);
    free(b->cur);
    free(b->tx);
    bl_evq_free(&b->events);
    bl_evq_free(&b->line_events);
    pthread_mutex_destroy(&b->lock);
    b->magic = 0;
    free(b);
}

#define EMU_MAX_STATIONS 480
#define EMU_OPTIONS_MAX 4096

/* Take the emu-only option "stations=N" (0..EMU_MAX_STATIONS) out of text: the other items
   are copied to out (size EMU_OPTIONS_MAX) for the shared option parser. BL_OK or
   BL_EINVAL. */
static int take_stations(const char *text, char *out, int *stations)
{
    const char *p = text;
    size_t n = 0;

    *stations = 0;
    out[0] = '\0';
    if (text == NULL)
        return BL_OK;
    if (strlen(text) >= EMU_OPTIONS_MAX)
        return BL_EINVAL;
    while (*p != '\0') {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t) (amp - p) : strlen(p);

        if (len > 9 && strncmp(p, "stations=", 9) == 0) {
            char *end;
            long v;
            char digits[16];

            if (len - 9 >= sizeof digits)
                return BL_EINVAL;
            memcpy(digits, p + 9, len - 9);
            digits[len - 9] = '\0';
            if (digits[0] < '0' || digits[0] > '9')
                return BL_EINVAL;
            v = strtol(digits, &end, 10);
            if (*end != '\0' || v < 0 || v > EMU_MAX_STATIONS)
                return BL_EINVAL;
            *stations = (int) v;
        } else if (len > 0) {
            if (n > 0)
                out[n++] = '&';
            memcpy(out + n, p, len);
            n += len;
            out[n] = '\0';
        }
        p = amp ? amp + 1 : p + len;
    }
    return BL_OK;
}

static int emu_open(const char *options, bl_board_t **board)
{
    emu_board_t *b;
    bl_options_t opts;
    char rest[EMU_OPTIONS_MAX];
    int rc, i, stations;

    if (board != NULL)
        *board = NULL;
    rc = take_stations(options, rest, &stations);
    if (rc < 0)
        return rc;
    rc = bl_open_options(rest, BL_OPT_SPANS, board, &opts);
    if (rc < 0)
        return rc;
    if (opts.channels < 0)
        opts.channels = 4;
    if (opts.channels + stations + opts.spans * E1_SLOTS < 1 ||
        opts.channels + stations + opts.spans * E1_SLOTS > BL_MAX_CHANNELS)
        return BL_EINVAL;
    b = calloc(1, sizeof *b);
    if (b == NULL)
        return BL_ENOMEM;
    if (pthread_mutex_init(&b->lock, NULL) != 0) {
        free(b);
        return BL_ENOMEM;
    }
    b->magic = EMU_MAGIC;
    b->opts = opts;
    b->events.fd = b->line_events.fd = -1;
    b->unit = bl_codec_unit(opts.codec);
    b->fbytes = (size_t) opts.frame * b->unit;
    b->nlines = opts.channels;
    b->nstations = stations;
    b->nchan = opts.channels + stations + opts.spans * E1_SLOTS;
    b->ch = calloc((size_t) b->nchan, sizeof *b->ch);
    b->cur = malloc((size_t) b->nchan * b->fbytes);
    b->tx = malloc((size_t) b->nchan * b->fbytes);
    rc = (b->ch == NULL || b->cur == NULL || b->tx == NULL) ? BL_ENOMEM : BL_OK;
    if (rc == BL_OK)
        rc = bl_evq_init(&b->events, EMU_MAX_EVENTS, 1);
    if (rc == BL_OK)
        rc = bl_evq_init(&b->line_events, EMU_MAX_EVENTS, 0);
    if (rc < 0) {
        if (b->ch == NULL)
            b->nchan = 0;
        emu_free(b);
        return rc;
    }
    bl_fill_silence(b->cur, (size_t) b->nchan * (size_t) opts.frame, opts.codec);
    for (i = 0; i < b->nchan; i++) {
        emu_chan_t *c = &b->ch[i];

        bl_fifo_init(&c->rx, EMU_SEND_MAX_UNITS * b->unit);
        bl_fifo_init(&c->capture, EMU_CAPTURE_UNITS * b->unit);
        if (i < b->nlines) {
            c->type = BL_CHAN_FXO;
        } else if (i < b->nlines + b->nstations) {
            c->type = BL_CHAN_FXS;
        } else {
            int e1 = i - b->nlines - b->nstations;
            int slot = e1 % E1_SLOTS;

            c->type = BL_CHAN_E1;
            c->span = e1 / E1_SLOTS + 1;
            c->timeslot = slot < 15 ? slot + 1 : slot + 2;
        }
    }
    *board = b;
    return BL_OK;
}

static int emu_close(bl_board_t *board)
{
    int rc;

    if (!valid(board))
        return BL_EINVAL;
    rc = bl_fault_hit(board->opts.faults, BL_OP_CLOSE);
    emu_free(board); /* released even when a fault is reported */
    return rc;
}

/* Entry checks shared by every call after open: validity, removal, then the fault. */
#define ENTER(b, op)                                                                         \
    do {                                                                                     \
        int rc_;                                                                             \
        if (!valid(b))                                                                       \
            return BL_EINVAL;                                                                \
        BL_LOCK(b);                                                                             \
        rc_ = (b)->removed ? BL_EREMOVED : ((op) >= 0 ? bl_fault_hit((b)->opts.faults, (op)) : 0); \
        if (rc_ < 0) {                                                                       \
            BL_UNLOCK(b);                                                                       \
            return rc_;                                                                      \
        }                                                                                    \
    } while (0)

#define NO_OP (-1)

static int emu_channel_count(bl_board_t *board)
{
    int n;

    ENTER(board, NO_OP);
    n = board->nchan;
    BL_UNLOCK(board);
    return n;
}

static int emu_channel_info(bl_board_t *board, int channel, bl_channel_info_t *info)
{
    ENTER(board, BL_OP_CHANNEL_INFO);
    if (info == NULL || channel < 0 || channel >= board->nchan) {
        BL_UNLOCK(board);
        return info == NULL ? BL_EINVAL : BL_ENODEV;
    }
    info->type = board->ch[channel].type;
    info->codec = board->opts.codec;
    info->span = board->ch[channel].span;
    info->timeslot = board->ch[channel].timeslot;
    BL_UNLOCK(board);
    return BL_OK;
}

static int check_io(const emu_board_t *b, const int32_t *channels, int n, const void *buf,
                    int frame_len)
{
    return bl_check_io(b->nchan, channels, n, buf, frame_len == b->opts.frame);
}

static int emu_read(bl_board_t *board, const int32_t *channels, int n, void *buf, int frame_len)
{
    uint8_t *dst = buf;
    size_t fb;
    int rc, i;

    ENTER(board, BL_OP_READ);
    rc = check_io(board, channels, n, buf, frame_len);
    if (rc > 0 && board->overrun_pending) {
        board->overrun_pending = 0;
        rc = bl_evq_push(&board->events, BL_EV_OVERRUN, -1, board->clock, 0);
        if (rc == BL_OK)
            rc = BL_EOVERRUN;
    }
    if (rc <= 0) {
        BL_UNLOCK(board);
        return rc;
    }
    fb = board->fbytes;
    for (i = 0; i < n; i++, dst += fb)
        memcpy(dst, board->cur + (size_t) channels[i] * fb, fb);
    BL_UNLOCK(board);
    return n;
}

static int emu_write(bl_board_t *board, const int32_t *channels, int n, const void *buf,
                     int frame_len)
{
    const uint8_t *src = buf;
    size_t fb;
    int rc, i;

    ENTER(board, BL_OP_WRITE);
    rc = check_io(board, channels, n, buf, frame_len);
    if (rc <= 0) {
        BL_UNLOCK(board);
        return rc;
    }
    fb = board->fbytes;
    for (i = 0; i < n; i++, src += fb) {
        memcpy(board->tx + (size_t) channels[i] * fb, src, fb);
        board->ch[channels[i]].tx_written = 1;
    }
    BL_UNLOCK(board);
    return n;
}

static int emu_next_event(bl_board_t *board, int timeout_ms, bl_event_t *event)
{
    int rc;

    if (!valid(board))
        return BL_EINVAL;
    BL_LOCK(board);
    if (event == NULL || timeout_ms < 0) {
        BL_UNLOCK(board);
        return BL_EINVAL;
    }
    /* A removed board still hands out the events queued before and the REMOVED one. */
    rc = board->removed ? 0 : bl_fault_hit(board->opts.faults, BL_OP_NEXT_EVENT);
    if (rc == 0) {
        rc = bl_evq_pop_wait(&board->events, &board->lock, board->removed ? 0 : timeout_ms,
                             event);
        if (rc == 0 && board->removed)
            rc = BL_EREMOVED;
    }
    BL_UNLOCK(board);
    return rc;
}

static int emu_event_fd(bl_board_t *board)
{
    int fd;

    ENTER(board, BL_OP_EVENT_FD);
    fd = board->events.fd >= 0 ? board->events.fd : BL_ENOTSUP;
    BL_UNLOCK(board);
    return fd;
}

/* A command on a station port (FXS); see the file comment. */
static int fxs_command(emu_board_t *b, int channel, emu_chan_t *c, int command, int64_t arg)
{
    int rc = BL_OK;

    switch (command) {
    case BL_CMD_RING_START:
        if (c->station_hook)
            return BL_ESTATE;
        if (!c->ringing) {
            c->ringing = 1;
            rc = bl_evq_push(&b->line_events, BL_EV_RING_ON, channel, b->clock, 0);
        }
        return rc;
    case BL_CMD_RING_STOP:
    case BL_CMD_ONHOOK:
        if (c->ringing) {
            c->ringing = 0;
            rc = bl_evq_push(&b->line_events, BL_EV_RING_OFF, channel, b->clock, 0);
        }
        if (rc == BL_OK && command == BL_CMD_ONHOOK && c->station_hook)
            rc = bl_evq_push(&b->line_events, BL_EV_LOOP_DROP, channel, b->clock, 0);
        return rc;
    case BL_CMD_POLARITY:
        if (arg < 0 || arg > 1)
            return BL_EINVAL;
        return bl_evq_push(&b->line_events, BL_EV_POLARITY, channel, b->clock, (int32_t) arg);
    case BL_CMD_OFFHOOK:
    case BL_CMD_FLASH:
        return BL_ESTATE; /* the station's hook is the station's, not the board's */
    case BL_CMD_SET_CAS:
        return BL_ENOTSUP;
    default: {
        int32_t type, value;

        return bl_line_command(&c->line, command, arg, &type, &value); /* gains */
    }
    }
}

static int emu_command_locked(emu_board_t *b, int channel, int command, int64_t arg)
{
    emu_chan_t *c;
    int32_t type, value;
    int rc;

    if (channel < 0 || channel >= b->nchan)
        return BL_ENODEV;
    c = &b->ch[channel];
    if (c->type == BL_CHAN_FXS)
        return fxs_command(b, channel, c, command, arg);
    if (command == BL_CMD_SET_CAS && c->type != BL_CHAN_E1)
        return BL_ENOTSUP;
    /* RING_START / RING_STOP / POLARITY are station (FXS) commands: on lines and timeslots
       they end as BL_ENOTSUP like any unknown command. */
    rc = bl_line_command(&c->line, command, arg, &type, &value);
    return rc < 0 || type == BL_EV_NONE ? rc
                                        : bl_evq_push(&b->line_events, type, channel, b->clock,
                                                      value);
}

static int emu_command(bl_board_t *board, int channel, int command, int64_t argument)
{
    int rc;

    ENTER(board, BL_OP_COMMAND);
    rc = emu_command_locked(board, channel, command, argument);
    BL_UNLOCK(board);
    return rc;
}

static int emu_get_alarms(bl_board_t *board, int span)
{
    int rc;

    ENTER(board, NO_OP);
    rc = span >= 0 && span <= board->opts.spans ? board->alarms[span] : BL_ENODEV;
    BL_UNLOCK(board);
    return rc;
}

static const bl_driver_v1_t EMU_DRIVER = {
    BL_ABI_VERSION,
    sizeof(bl_driver_v1_t),
    "emu",
    emu_open,
    emu_close,
    emu_channel_count,
    emu_channel_info,
    emu_read,
    emu_write,
    emu_next_event,
    emu_event_fd,
    emu_command,
    emu_get_alarms,
    bl_common_strerror,
};

const bl_driver_v1_t *bl_emu_driver_entry(void)
{
    return &EMU_DRIVER;
}

/* ---- line side ------------------------------------------------------------------------ */

/* Entry of a line-side call on channel ch (ch < 0: no channel). */
#define LINE_ENTER(b, chan)                                                                  \
    do {                                                                                     \
        if (!valid(b))                                                                       \
            return BL_EINVAL;                                                                \
        BL_LOCK(b);                                                                             \
        if ((b)->removed) {                                                                  \
            BL_UNLOCK(b);                                                                       \
            return BL_EREMOVED;                                                              \
        }                                                                                    \
        if ((chan) != NO_CHANNEL && ((chan) < 0 || (chan) >= (b)->nchan)) {                  \
            BL_UNLOCK(b);                                                                       \
            return BL_ENODEV;                                                                \
        }                                                                                    \
    } while (0)

#define NO_CHANNEL INT_MIN

int64_t bl_emu_tick(bl_board_t *board)
{
    size_t fb;
    int64_t now;
    int i, rc = BL_OK;

    LINE_ENTER(board, NO_CHANNEL);
    fb = board->fbytes;
    for (i = 0; i < board->nchan; i++) {
        emu_chan_t *c = &board->ch[i];
        uint8_t *tx = board->tx + (size_t) i * fb;
        uint8_t *cur = board->cur + (size_t) i * fb;
        size_t got;

        if (c->monitor) {
            if (!c->tx_written)
                bl_fill_silence(tx, (size_t) board->opts.frame, board->opts.codec);
            if (bl_fifo_push(&c->capture, tx, fb, 1, NULL) < 0)
                rc = BL_ENOMEM;
        }
        c->tx_written = 0;
        got = bl_fifo_pop(&c->rx, cur, fb);
        if (got < fb && c->loop_len > 0) {
            while (got < fb) {
                size_t chunk = c->loop_len - c->loop_pos;

                if (chunk > fb - got)
                    chunk = fb - got;
                memcpy(cur + got, c->loop + c->loop_pos, chunk);
                got += chunk;
                c->loop_pos = (c->loop_pos + chunk) % c->loop_len;
            }
        } else if (got < fb) {
            bl_fill_silence(cur + got, (fb - got) / board->unit, board->opts.codec);
        }
    }
    board->clock += board->opts.frame;
    now = board->clock;
    BL_UNLOCK(board);
    return rc < 0 ? rc : now;
}

int64_t bl_emu_now(bl_board_t *board)
{
    int64_t now;

    LINE_ENTER(board, NO_CHANNEL);
    now = board->clock;
    BL_UNLOCK(board);
    return now;
}

int bl_emu_line_send(bl_board_t *board, int ch, const void *data, int n)
{
    int rc;

    LINE_ENTER(board, ch);
    if (n < 0 || (n > 0 && data == NULL))
        rc = BL_EINVAL;
    else
        rc = bl_fifo_push(&board->ch[ch].rx, data, (size_t) n * board->unit, 0, NULL);
    BL_UNLOCK(board);
    return rc < 0 ? rc : n;
}

int bl_emu_line_clear(bl_board_t *board, int ch)
{
    LINE_ENTER(board, ch);
    bl_fifo_clear(&board->ch[ch].rx);
    BL_UNLOCK(board);
    return BL_OK;
}

int bl_emu_line_queued(bl_board_t *board, int ch)
{
    size_t units;

    LINE_ENTER(board, ch);
    units = board->ch[ch].rx.len / board->unit;
    BL_UNLOCK(board);
    return units > INT_MAX ? INT_MAX : (int) units;
}

int bl_emu_line_set_loop(bl_board_t *board, int ch, const void *data, int n)
{
    emu_chan_t *c;
    uint8_t *copy = NULL;
    size_t bytes;

    LINE_ENTER(board, ch);
    if (n < 0 || (size_t) n > EMU_LOOP_MAX_UNITS || (n > 0 && data == NULL)) {
        BL_UNLOCK(board);
        return BL_EINVAL;
    }
    bytes = (size_t) n * board->unit;
    if (n > 0) {
        copy = malloc(bytes);
        if (copy == NULL) {
            BL_UNLOCK(board);
            return BL_ENOMEM;
        }
        memcpy(copy, data, bytes);
    }
    c = &board->ch[ch];
    free(c->loop);
    c->loop = copy;
    c->loop_len = bytes;
    c->loop_pos = 0;
    BL_UNLOCK(board);
    return BL_OK;
}

int bl_emu_line_receive(bl_board_t *board, int ch, void *data, int max)
{
    size_t got;

    LINE_ENTER(board, ch);
    if (max < 0 || (max > 0 && data == NULL)) {
        BL_UNLOCK(board);
        return BL_EINVAL;
    }
    got = bl_fifo_pop(&board->ch[ch].capture, data, (size_t) max * board->unit);
    BL_UNLOCK(board);
    return (int) (got / board->unit);
}

int bl_emu_line_monitor(bl_board_t *board, int ch, int on)
{
    emu_chan_t *c;

    LINE_ENTER(board, ch);
    c = &board->ch[ch];
    c->monitor = on != 0;
    if (!c->monitor)
        bl_fifo_clear(&c->capture);
    BL_UNLOCK(board);
    return BL_OK;
}

int bl_emu_line_signal(bl_board_t *board, int ch, int type, int value)
{
    int rc;

    LINE_ENTER(board, ch);
    switch (type) {
    case BL_EV_RING_ON:
    case BL_EV_RING_OFF:
    case BL_EV_POLARITY:
    case BL_EV_LOOP_DROP:
    case BL_EV_OFFHOOK:
    case BL_EV_ONHOOK:
    case BL_EV_FLASH:
        rc = BL_OK;
        break;
    case BL_EV_CAS:
        rc = value >= 0 && value <= 15 ? BL_OK : BL_EINVAL;
        break;
    default:
        rc = BL_EINVAL;
        break;
    }
    if (rc == BL_OK && board->ch[ch].type == BL_CHAN_FXS) {
        /* The station's handset: lifting it trips the ringing. */
        if (type == BL_EV_OFFHOOK) {
            board->ch[ch].station_hook = 1;
            board->ch[ch].ringing = 0;
        } else if (type == BL_EV_ONHOOK) {
            board->ch[ch].station_hook = 0;
        }
    }
    if (rc == BL_OK)
        rc = bl_evq_push(&board->events, type, ch, board->clock, value);
    BL_UNLOCK(board);
    return rc;
}

int bl_emu_line_next_event(bl_board_t *board, bl_event_t *event)
{
    int rc;

    LINE_ENTER(board, NO_CHANNEL);
    rc = event == NULL ? BL_EINVAL : bl_evq_pop(&board->line_events, event);
    BL_UNLOCK(board);
    return rc;
}

int bl_emu_line_hook(bl_board_t *board, int ch)
{
    int hook;

    LINE_ENTER(board, ch);
    hook = board->ch[ch].line.hook;
    BL_UNLOCK(board);
    return hook;
}

int bl_emu_set_alarm(bl_board_t *board, int span, int bits)
{
    int rc;

    LINE_ENTER(board, NO_CHANNEL);
    if (span < 1 || span > board->opts.spans) {
        rc = BL_ENODEV;
    } else if (bits < 0 || bits > 15) {
        rc = BL_EINVAL;
    } else {
        board->alarms[span] = bits;
        rc = bl_evq_push(&board->events, BL_EV_ALARM, -1, board->clock, bits);
    }
    BL_UNLOCK(board);
    return rc;
}

int bl_emu_fault(bl_board_t *board, const char *spec)
{
    int rc = BL_OK;

    LINE_ENTER(board, NO_CHANNEL);
    if (spec == NULL) {
        rc = BL_EINVAL;
    } else if (strcmp(spec, "overrun") == 0) {
        board->overrun_pending = 1;
    } else if (strcmp(spec, "remove") == 0) {
        board->removed = 1;
        rc = bl_evq_push(&board->events, BL_EV_REMOVED, -1, board->clock, 0);
    } else {
        rc = bl_fault_parse(spec, strlen(spec), board->opts.faults);
    }
    BL_UNLOCK(board);
    return rc;
}
