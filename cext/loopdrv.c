/*
 * loopdrv.c - the loop board: channels wired in pairs (0<->1, 2<->3, ...).
 *
 * Audio: a frame written on channel c is queued for reading on channel c^1, bit for bit, in
 * the board's codec. Each channel's receive queue holds at most LOOP_DEPTH_FRAMES frames of
 * the board's frame size; a write that would overflow it drops the oldest audio and raises
 * BL_EV_OVERRUN on the reading channel (value: units dropped). A read takes frame_len units
 * from the queue and pads with idle code when it runs short (0xD5 A-law, 0xFF mu-law, 0
 * slin), so a read always returns the n frames asked for.
 *
 * Signalling: a command on one side of a pair is seen as an event on the other side:
 *   OFFHOOK / ONHOOK   -> OFFHOOK / ONHOOK (only when the hook state changes)
 *   FLASH (ms)         -> FLASH, value = ms (the side must be off-hook, else BL_ESTATE)
 *   RING_START / STOP  -> RING_ON / RING_OFF (only when the ringing state changes)
 *   SET_CAS (0..15)    -> CAS, value = bits
 *   POLARITY (0/1)     -> POLARITY, value = 0/1
 *   RX_GAIN / TX_GAIN  are accepted (-300..300 tenths of a dB) and do not alter the audio.
 * Even channels report BL_CHAN_FXS (the exchange side of the pair), odd ones BL_CHAN_FXO;
 * both accept every command. Events are stamped with the receiving channel's own clock:
 * the number of samples read on that channel so far.
 *
 * Options: channels (even, default 2), law, frame, clock=virtual|realtime, fail=OP:CODE[@N]
 * (OP also event_fd), board=0.
 *
 * Clock: with clock=virtual (the default) a read always returns its frames at once, so a host
 * runs the board as fast as it can, and event_fd() is a Linux eventfd readable while events
 * are queued. With clock=realtime the board stands in for a hardware board paced by its own
 * clock: from board_open, a channel receives 8000 samples per second of CLOCK_MONOTONIC, and
 * a read returns 0 unless every channel asked has frame_len samples more elapsed than it has
 * read. event_fd() is then an epoll fd over the event eventfd and a timerfd, readable while
 * events are queued or while the board's next frame is due - the furthest-read channel has
 * `frame` samples to take, so a read of every channel returns frames; a read that returns 0
 * re-arms the timer for the moment it would succeed. A host that falls behind catches up by
 * reading the due frames back to back.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "drvcommon.h"
#include "emu_line.h"

#define LOOP_MAGIC 0x4C4F4F50u /* "LOOP" */
#define LOOP_DEPTH_FRAMES 32
#define LOOP_MAX_EVENTS 4096
#define NS_PER_SAMPLE 125000 /* 8000 samples a second */

typedef struct {
    bl_fifo_t rx;      /* audio written by the pair, waiting to be read here */
    int64_t clock;     /* samples read on this channel */
    bl_line_t line;    /* hook state and gains */
    int ringing;
} loop_chan_t;

typedef struct bl_board {
    uint32_t magic;
    pthread_mutex_t lock;
    bl_options_t opts;
    int nchan;
    size_t unit;
    loop_chan_t *ch;
    bl_evq_t events;
    /* clock=realtime */
    int64_t start_ns;  /* CLOCK_MONOTONIC at board_open: sample 0 */
    int64_t lead;      /* the furthest-read channel's clock (samples) */
    int64_t armed;     /* sample the timer is armed for */
    int timer_fd;      /* -1 in virtual mode */
    int epoll_fd;      /* event_fd() in realtime mode: events.fd and timer_fd */
} loop_board_t;

static int valid(const loop_board_t *b)
{
    return b != NULL && b->magic == LOOP_MAGIC;
}

static void loop_free(loop_board_t *b)
{
    int i;

    if (b->ch != NULL)
        for (i = 0; i < b->nchan; i++)
            bl_fifo_free(&b->ch[i].rx);
    free(b->ch);
    if (b->epoll_fd >= 0)
        close(b->epoll_fd);
    if (b->timer_fd >= 0)
        close(b->timer_fd);
    bl_evq_free(&b->events);
    pthread_mutex_destroy(&b->lock);
    b->magic = 0;
    free(b);
}

static int64_t monotonic_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Samples elapsed since board_open (realtime mode). */
static int64_t elapsed_samples(const loop_board_t *b)
{
    return (monotonic_ns() - b->start_ns) / NS_PER_SAMPLE;
}

/* Arm the timer for the moment sample `sample` has elapsed: the timerfd is readable from then
   on until it is armed again (a time already past makes it readable at once). */
static int arm_timer(loop_board_t *b, int64_t sample)
{
    struct itimerspec its;
    int64_t due = b->start_ns + sample * NS_PER_SAMPLE;

    if (sample == b->armed)
        return BL_OK;
    memset(&its, 0, sizeof its);
    its.it_value.tv_sec = (time_t) (due / 1000000000);
    its.it_value.tv_nsec = (long) (due % 1000000000);
    if (timerfd_settime(b->timer_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
        return BL_EIO;
    b->armed = sample;
    return BL_OK;
}

static int realtime_init(loop_board_t *b)
{
    struct epoll_event ev;

    b->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (b->timer_fd >= 0)
        b->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (b->timer_fd < 0 || b->epoll_fd < 0)
        return errno == ENOMEM ? BL_ENOMEM : BL_EIO;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN; /* level-triggered */
    ev.data.fd = b->events.fd;
    if (epoll_ctl(b->epoll_fd, EPOLL_CTL_ADD, b->events.fd, &ev) < 0)
        return BL_EIO;
    ev.data.fd = b->timer_fd;
    if (epoll_ctl(b->epoll_fd, EPOLL_CTL_ADD, b->timer_fd, &ev) < 0)
        return BL_EIO;
    b->start_ns = monotonic_ns();
    b->armed = -1;
    return arm_timer(b, b->opts.frame);
}

static int loop_open(const char *options, bl_board_t **board)
{
    loop_board_t *b;
    bl_options_t opts;
    int rc, i;

    rc = bl_open_options(options, BL_OPT_CLOCK, board, &opts);
    if (rc < 0)
        return rc;
    if (opts.channels < 0)
        opts.channels = 2;
    if (opts.channels < 2 || opts.channels % 2 != 0)
        return BL_EINVAL;
    b = calloc(1, sizeof *b);
    if (b == NULL)
        return BL_ENOMEM;
    if (pthread_mutex_init(&b->lock, NULL) != 0) {
        free(b);
        return BL_ENOMEM;
    }
    b->magic = LOOP_MAGIC;
    b->opts = opts;
    b->unit = bl_codec_unit(opts.codec);
    b->events.fd = -1;
    b->timer_fd = b->epoll_fd = -1;
    b->ch = calloc((size_t) opts.channels, sizeof *b->ch);
    rc = b->ch == NULL ? BL_ENOMEM : bl_evq_init(&b->events, LOOP_MAX_EVENTS, 1);
    if (rc == BL_OK && opts.realtime)
        rc = realtime_init(b);
    if (rc < 0) {
        loop_free(b);
        return rc;
    }
    b->nchan = opts.channels;
    for (i = 0; i < b->nchan; i++)
        bl_fifo_init(&b->ch[i].rx, (size_t) LOOP_DEPTH_FRAMES * (size_t) opts.frame * b->unit);
    *board = b;
    return BL_OK;
}

static int loop_close(bl_board_t *board)
{
    int rc;

    if (!valid(board))
        return BL_EINVAL;
    rc = bl_fault_hit(board->opts.faults, BL_OP_CLOSE);
    /* The board is released even when a fault is reported. */
    loop_free(board);
    return rc;
}

static int loop_channel_count(bl_board_t *board)
{
    if (!valid(board))
        return BL_EINVAL;
    return board->nchan;
}

static int loop_channel_info(bl_board_t *board, int channel, bl_channel_info_t *info)
{
    int rc;

    if (!valid(board) || info == NULL)
        return BL_EINVAL;
    BL_LOCK(board);
    rc = bl_fault_hit(board->opts.faults, BL_OP_CHANNEL_INFO);
    BL_UNLOCK(board);
    if (rc < 0)
        return rc;
    if (channel < 0 || channel >= board->nchan)
        return BL_ENODEV;
    info->type = channel % 2 == 0 ? BL_CHAN_FXS : BL_CHAN_FXO;
    info->codec = board->opts.codec;
    info->span = 0;
    info->timeslot = 0;
    return BL_OK;
}

/* Entry of read and write: checks, the fault of op, then the lock. Returns 1 with the lock
   held, or 0 ("nothing to do") / a negative code with it released. */
static int enter_io(loop_board_t *b, int op, const int32_t *channels, int n, const void *buf,
                    int frame_len)
{
    int rc;

    if (!valid(b))
        return BL_EINVAL;
    BL_LOCK(b);
    rc = bl_fault_hit(b->opts.faults, op);
    if (rc == 0)
        rc = bl_check_io(b->nchan, channels, n, buf, frame_len >= 1 && frame_len <= BL_MAX_FRAME);
    if (rc <= 0)
        BL_UNLOCK(b);
    return rc;
}

/* Realtime mode, lock held: 1 when every channel asked has frame_len samples to read, else 0
   with the timer armed for the moment they all have (or a negative code). */
static int realtime_due(loop_board_t *b, const int32_t *channels, int n, int frame_len)
{
    int64_t need = 0;
    int i;

    for (i = 0; i < n; i++) {
        int64_t end = b->ch[channels[i]].clock + frame_len;

        if (end > need)
            need = end;
    }
    if (need <= elapsed_samples(b))
        return 1;
    return arm_timer(b, need);
}

static int loop_read(bl_board_t *board, const int32_t *channels, int n, void *buf,
                     int frame_len)
{
    uint8_t *dst = buf;
    size_t fbytes;
    int rc, i;

    rc = enter_io(board, BL_OP_READ, channels, n, buf, frame_len);
    if (rc <= 0)
        return rc;
    if (board->timer_fd >= 0) {
        rc = realtime_due(board, channels, n, frame_len);
        if (rc <= 0) {
            BL_UNLOCK(board);
            return rc;
        }
    }
    fbytes = (size_t) frame_len * board->unit;
    for (i = 0; i < n; i++, dst += fbytes) {
        loop_chan_t *c = &board->ch[channels[i]];
        size_t got = bl_fifo_pop(&c->rx, dst, fbytes);

        if (got < fbytes)
            bl_fill_silence(dst + got, (fbytes - got) / board->unit, board->opts.codec);
        c->clock += frame_len;
        if (c->clock > board->lead)
            board->lead = c->clock;
    }
    /* The fd now waits for the board's next frame. */
    rc = board->timer_fd >= 0 ? arm_timer(board, board->lead + board->opts.frame) : BL_OK;
    BL_UNLOCK(board);
    return rc < 0 ? rc : n;
}

static int loop_write(bl_board_t *board, const int32_t *channels, int n, const void *buf,
                      int frame_len)
{
    const uint8_t *src = buf;
    size_t fbytes;
    int rc, i;

    rc = enter_io(board, BL_OP_WRITE, channels, n, buf, frame_len);
    if (rc <= 0)
        return rc;
    fbytes = (size_t) frame_len * board->unit;
    for (i = 0; i < n; i++, src += fbytes) {
        int peer = channels[i] ^ 1;
        size_t dropped = 0;

        rc = bl_fifo_push(&board->ch[peer].rx, src, fbytes, 1, &dropped);
        if (rc < 0)
            break;
        if (dropped > 0)
            rc = bl_evq_push(&board->events, BL_EV_OVERRUN, peer, board->ch[peer].clock,
                             (int32_t) (dropped / board->unit));
        if (rc < 0)
            break;
    }
    BL_UNLOCK(board);
    return rc < 0 ? rc : n;
}

static int loop_next_event(bl_board_t *board, int timeout_ms, bl_event_t *event)
{
    int rc;

    if (!valid(board) || event == NULL || timeout_ms < 0)
        return BL_EINVAL;
    BL_LOCK(board);
    rc = bl_fault_hit(board->opts.faults, BL_OP_NEXT_EVENT);
    if (rc == 0)
        rc = bl_evq_pop_wait(&board->events, &board->lock, timeout_ms, event);
    BL_UNLOCK(board);
    return rc;
}

static int loop_event_fd(bl_board_t *board)
{
    int rc;

    if (!valid(board))
        return BL_EINVAL;
    BL_LOCK(board);
    rc = bl_fault_hit(board->opts.faults, BL_OP_EVENT_FD);
    BL_UNLOCK(board);
    if (rc < 0)
        return rc;
    if (board->epoll_fd >= 0)
        return board->epoll_fd;
    return board->events.fd >= 0 ? board->events.fd : BL_ENOTSUP;
}

static int tell_peer(loop_board_t *b, int channel, int type, int32_t value)
{
    int peer = channel ^ 1;

    return bl_evq_push(&b->events, type, peer, b->ch[peer].clock, value);
}

static int loop_command_locked(loop_board_t *b, int channel, int command, int64_t arg)
{
    loop_chan_t *c;
    int rc = bl_fault_hit(b->opts.faults, BL_OP_COMMAND);

    if (rc < 0)
        return rc;
    if (channel < 0 || channel >= b->nchan)
        return BL_ENODEV;
    c = &b->ch[channel];
    switch (command) {
    case BL_CMD_RING_START:
    case BL_CMD_RING_STOP: {
        int ringing = command == BL_CMD_RING_START;

        if (c->ringing == ringing)
            return BL_OK;
        c->ringing = ringing;
        return tell_peer(b, channel, ringing ? BL_EV_RING_ON : BL_EV_RING_OFF, 0);
    }
    case BL_CMD_POLARITY:
        if (arg != 0 && arg != 1)
            return BL_EINVAL;
        return tell_peer(b, channel, BL_EV_POLARITY, (int32_t) arg);
    default: {
        int32_t type, value;

        rc = bl_line_command(&c->line, command, arg, &type, &value);
        return rc < 0 || type == BL_EV_NONE ? rc : tell_peer(b, channel, type, value);
    }
    }
}

static int loop_command(bl_board_t *board, int channel, int command, int64_t argument)
{
    int rc;

    if (!valid(board))
        return BL_EINVAL;
    BL_LOCK(board);
    rc = loop_command_locked(board, channel, command, argument);
    BL_UNLOCK(board);
    return rc;
}

static int loop_get_alarms(bl_board_t *board, int span)
{
    if (!valid(board))
        return BL_EINVAL;
    return span == 0 ? 0 : BL_ENODEV;
}

static const bl_driver_v1_t LOOP_DRIVER = {
    BL_ABI_VERSION,
    sizeof(bl_driver_v1_t),
    "loop",
    loop_open,
    loop_close,
    loop_channel_count,
    loop_channel_info,
    loop_read,
    loop_write,
    loop_next_event,
    loop_event_fd,
    loop_command,
    loop_get_alarms,
    bl_common_strerror,
};

const bl_driver_v1_t *bl_loop_driver_entry(void)
{
    return &LOOP_DRIVER;
}
