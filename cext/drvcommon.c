/* drvcommon.c - option parsing, faults, event queue and FIFO shared by the built-in drivers. */
#include "drvcommon.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

static const char *const OP_NAMES[BL_OP_COUNT] = {
    "open", "close", "read", "write", "next_event", "command", "channel_info", "event_fd",
};

/* Parse a whole decimal integer of len characters within [lo, hi]. */
static int parse_int(const char *s, size_t len, long long lo, long long hi, long long *out)
{
    char tmp[32];
    char *end;
    long long v;

    if (len == 0 || len >= sizeof tmp)
        return BL_EINVAL;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    if (tmp[0] == ' ' || tmp[0] == '+')
        return BL_EINVAL;
    errno = 0;
    v = strtoll(tmp, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi)
        return BL_EINVAL;
    *out = v;
    return BL_OK;
}

static int equals(const char *s, size_t len, const char *word)
{
    return strlen(word) == len && memcmp(s, word, len) == 0;
}

int bl_fault_parse(const char *spec, size_t len, bl_fault_t *faults)
{
    const char *colon, *at, *end = spec + len;
    long long code, from = 1;
    int op;

    if (spec == NULL || faults == NULL)
        return BL_EINVAL;
    colon = memchr(spec, ':', len);
    if (colon == NULL)
        return BL_EINVAL;
    for (op = 0; op < BL_OP_COUNT; op++)
        if (equals(spec, (size_t) (colon - spec), OP_NAMES[op]))
            break;
    if (op == BL_OP_COUNT)
        return BL_EINVAL;
    at = memchr(colon + 1, '@', (size_t) (end - colon - 1));
    /* CODE 0 clears the operation's fault. */
    if (parse_int(colon + 1, (size_t) ((at ? at : end) - colon - 1), BL_EUNDERRUN, 0, &code))
        return BL_EINVAL;
    if (at != NULL && parse_int(at + 1, (size_t) (end - at - 1), 1, INT64_MAX / 2, &from))
        return BL_EINVAL;
    faults[op].code = (int) code;
    faults[op].from = from;
    faults[op].calls = 0;
    return BL_OK;
}

int bl_fault_hit(bl_fault_t *faults, int op)
{
    bl_fault_t *f = &faults[op];

    if (f->code == 0)
        return 0;
    if (f->calls < INT64_MAX)
        f->calls++;
    return f->calls >= f->from ? f->code : 0;
}

int bl_options_parse(const char *text, unsigned allowed, bl_options_t *opts)
{
    const char *p = text;

    memset(opts, 0, sizeof *opts);
    opts->channels = -1;
    opts->codec = BL_CODEC_ALAW;
    opts->frame = 160;
    if (text == NULL)
        return BL_OK;
    while (*p != '\0') {
        const char *amp = strchr(p, '&');
        const char *end = amp ? amp : p + strlen(p);
        const char *eq = memchr(p, '=', (size_t) (end - p));
        const char *val;
        size_t klen, vlen;
        long long v;

        if (end == p) { /* empty item ("a=1&&b=2", trailing '&') */
            p = amp ? amp + 1 : end;
            continue;
        }
        if (eq == NULL)
            return BL_EINVAL;
        klen = (size_t) (eq - p);
        val = eq + 1;
        vlen = (size_t) (end - val);
        if (equals(p, klen, "channels")) {
            if (parse_int(val, vlen, 0, BL_MAX_CHANNELS, &v))
                return BL_EINVAL;
            opts->channels = (int) v;
        } else if (equals(p, klen, "frame")) {
            if (parse_int(val, vlen, 1, BL_MAX_FRAME, &v))
                return BL_EINVAL;
            opts->frame = (int) v;
        } else if (equals(p, klen, "law")) {
            if (equals(val, vlen, "alaw"))
                opts->codec = BL_CODEC_ALAW;
            else if (equals(val, vlen, "ulaw"))
                opts->codec = BL_CODEC_ULAW;
            else if (equals(val, vlen, "slin"))
                opts->codec = BL_CODEC_SLIN16;
            else
                return BL_EINVAL;
        } else if (equals(p, klen, "spans") && (allowed & BL_OPT_SPANS)) {
            if (parse_int(val, vlen, 0, BL_MAX_SPANS, &v))
                return BL_EINVAL;
            opts->spans = (int) v;
        } else if (equals(p, klen, "clock") && (allowed & BL_OPT_CLOCK)) {
            if (equals(val, vlen, "virtual"))
                opts->realtime = 0;
            else if (equals(val, vlen, "realtime"))
                opts->realtime = 1;
            else
                return BL_EINVAL;
        } else if (equals(p, klen, "fail")) {
            if (bl_fault_parse(val, vlen, opts->faults))
                return BL_EINVAL;
        } else if (equals(p, klen, "board")) {
            /* The built-in drivers drive one board each: only board 0 exists. */
            if (parse_int(val, vlen, 0, INT_MAX, &v))
                return BL_EINVAL;
            if (v != 0)
                return BL_ENODEV;
        } else {
            return BL_EINVAL;
        }
        p = amp ? amp + 1 : end;
    }
    return BL_OK;
}

int bl_check_io(int nchan, const int32_t *channels, int n, const void *buf, int frame_ok)
{
    int i;

    if (n < 0 || !frame_ok)
        return BL_EINVAL;
    if (n == 0)
        return 0;
    if (channels == NULL || buf == NULL)
        return BL_EINVAL;
    for (i = 0; i < n; i++)
        if (channels[i] < 0 || channels[i] >= nchan)
            return BL_ENODEV;
    return 1;
}

int bl_line_command(bl_line_t *line, int command, int64_t arg, int32_t *ev_type,
                    int32_t *ev_value)
{
    *ev_type = BL_EV_NONE;
    *ev_value = 0;
    switch (command) {
    case BL_CMD_OFFHOOK:
    case BL_CMD_ONHOOK: {
        int hook = command == BL_CMD_OFFHOOK;

        if (line->hook != hook) {
            line->hook = hook;
            *ev_type = hook ? BL_EV_OFFHOOK : BL_EV_ONHOOK;
        }
        return BL_OK;
    }
    case BL_CMD_FLASH:
        if (arg < 0 || arg > 10000)
            return BL_EINVAL;
        if (!line->hook)
            return BL_ESTATE;
        *ev_type = BL_EV_FLASH;
        *ev_value = (int32_t) arg;
        return BL_OK;
    case BL_CMD_SET_CAS:
        if (arg < 0 || arg > 15)
            return BL_EINVAL;
        *ev_type = BL_EV_CAS;
        *ev_value = (int32_t) arg;
        return BL_OK;
    case BL_CMD_RX_GAIN:
    case BL_CMD_TX_GAIN:
        if (arg < -300 || arg > 300)
            return BL_EINVAL;
        if (command == BL_CMD_RX_GAIN)
            line->rx_gain = (int) arg;
        else
            line->tx_gain = (int) arg;
        return BL_OK;
    default:
        return BL_ENOTSUP;
    }
}

int bl_open_options(const char *text, unsigned allowed, bl_board_t **board, bl_options_t *opts)
{
    int rc;

    if (board == NULL)
        return BL_EINVAL;
    *board = NULL;
    rc = bl_options_parse(text, allowed, opts);
    if (rc < 0)
        return rc;
    return bl_fault_hit(opts->faults, BL_OP_OPEN);
}

size_t bl_codec_unit(int codec)
{
    return codec == BL_CODEC_SLIN16 ? 2 : 1;
}

void bl_fill_silence(void *dst, size_t units, int codec)
{
    switch (codec) {
    case BL_CODEC_ALAW:
        memset(dst, 0xD5, units);
        break;
    case BL_CODEC_ULAW:
        memset(dst, 0xFF, units);
        break;
    default:
        memset(dst, 0, units * 2);
        break;
    }
}

const char *bl_common_strerror(int code)
{
    switch (code) {
    case BL_OK: return "success";
    case BL_EINVAL: return "invalid argument";
    case BL_ENODEV: return "no such board or channel";
    case BL_EBUSY: return "resource in use";
    case BL_ESTATE: return "command not valid in the channel's state";
    case BL_EIO: return "hardware or transport failure";
    case BL_ENOMEM: return "out of memory";
    case BL_ETIMEDOUT: return "the operation timed out";
    case BL_EREMOVED: return "the board was removed";
    case BL_ENOTSUP: return "not supported by this driver";
    case BL_EOVERRUN: return "frames were lost (receive overrun)";
    case BL_EUNDERRUN: return "the transmit queue ran dry";
    default: return "unknown error code";
    }
}

/* ---- event queue ---------------------------------------------------------------------- */

int bl_evq_init(bl_evq_t *q, size_t max, int with_fd)
{
    memset(q, 0, sizeof *q);
    q->fd = -1;
    q->max = max ? max : 1;
    q->cap = q->max < 64 ? q->max : 64;
    q->ev = calloc(q->cap, sizeof *q->ev);
    if (q->ev == NULL)
        return BL_ENOMEM;
    if (with_fd) {
        q->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (q->fd < 0) {
            free(q->ev);
            q->ev = NULL;
            return errno == ENOMEM ? BL_ENOMEM : BL_EIO;
        }
    }
    return BL_OK;
}

void bl_evq_free(bl_evq_t *q)
{
    free(q->ev);
    q->ev = NULL;
    if (q->fd >= 0)
        close(q->fd);
    q->fd = -1;
    q->count = q->head = q->cap = 0;
}

static void fd_raise(int fd)
{
    uint64_t one = 1;
    ssize_t rc;

    if (fd >= 0)
        do
            rc = write(fd, &one, sizeof one);
        while (rc < 0 && errno == EINTR);
}

static void fd_drain(int fd)
{
    uint64_t value;
    ssize_t rc;

    if (fd >= 0)
        do
            rc = read(fd, &value, sizeof value);
        while (rc < 0 && errno == EINTR);
}

int bl_evq_push(bl_evq_t *q, int32_t type, int32_t channel, int64_t sample, int32_t value)
{
    bl_event_t *slot;

    if (q->ev == NULL)
        return BL_ENOMEM;
    if (q->count == q->max) { /* full: the oldest event is lost */
        q->head = (q->head + 1) % q->cap;
        q->count--;
    } else if (q->count == q->cap) {
        size_t ncap = q->cap * 2 > q->max ? q->max : q->cap * 2;
        bl_event_t *nev = malloc(ncap * sizeof *nev);
        size_t i;

        if (nev == NULL)
            return BL_ENOMEM;
        for (i = 0; i < q->count; i++)
            nev[i] = q->ev[(q->head + i) % q->cap];
        free(q->ev);
        q->ev = nev;
        q->cap = ncap;
        q->head = 0;
    }
    slot = &q->ev[(q->head + q->count) % q->cap];
    slot->type = type;
    slot->channel = channel;
    slot->sample = sample;
    slot->value = value;
    slot->reserved = 0;
    if (q->count++ == 0)
        fd_raise(q->fd);
    return BL_OK;
}

int bl_evq_pop(bl_evq_t *q, bl_event_t *e)
{
    if (q->count == 0)
        return 0;
    *e = q->ev[q->head];
    q->head = (q->head + 1) % q->cap;
    if (--q->count == 0)
        fd_drain(q->fd);
    return 1;
}

void bl_evq_wait(const bl_evq_t *q, int timeout_ms)
{
    struct pollfd pfd;

    if (q->fd < 0 || timeout_ms <= 0)
        return;
    pfd.fd = q->fd;
    pfd.events = POLLIN;
    pfd.revents = 0;
    (void) poll(&pfd, 1, timeout_ms);
}

/* ---- byte FIFO ------------------------------------------------------------------------ */

int bl_evq_pop_wait(bl_evq_t *q, pthread_mutex_t *lock, int timeout_ms, bl_event_t *e)
{
    int rc = bl_evq_pop(q, e);

    if (rc == 0 && timeout_ms > 0) {
        pthread_mutex_unlock(lock);
        bl_evq_wait(q, timeout_ms);
        pthread_mutex_lock(lock);
        rc = bl_evq_pop(q, e);
    }
    return rc;
}

void bl_fifo_init(bl_fifo_t *f, size_t max)
{
    memset(f, 0, sizeof *f);
    f->max = max;
}

void bl_fifo_free(bl_fifo_t *f)
{
    free(f->buf);
    f->buf = NULL;
    f->head = f->len = f->cap = 0;
}

void bl_fifo_clear(bl_fifo_t *f)
{
    f->head = f->len = 0;
}

static void fifo_drop(bl_fifo_t *f, size_t bytes)
{
    if (bytes >= f->len) {
        f->head = f->len = 0;
        return;
    }
    f->head = (f->head + bytes) % f->cap;
    f->len -= bytes;
}

int bl_fifo_push(bl_fifo_t *f, const void *data, size_t bytes, int drop_oldest, size_t *dropped)
{
    const uint8_t *src = data;
    size_t lost = 0, tail, first;

    if (dropped != NULL)
        *dropped = 0;
    if (bytes == 0)
        return BL_OK;
    if (bytes > f->max - f->len) {
        if (!drop_oldest)
            return BL_ENOMEM;
        if (bytes >= f->max) { /* only the newest max octets survive */
            lost = f->len + (bytes - f->max);
            src += bytes - f->max;
            bytes = f->max;
            f->head = f->len = 0;
        } else {
            lost = f->len + bytes - f->max;
            fifo_drop(f, lost);
        }
        if (bytes == 0) {
            if (dropped != NULL)
                *dropped = lost;
            return BL_OK;
        }
    }
    if (f->len + bytes > f->cap) {
        size_t ncap = f->cap ? f->cap : 256;
        uint8_t *nbuf;

        while (ncap < f->len + bytes)
            ncap = ncap > f->max / 2 ? f->max : ncap * 2;
        nbuf = malloc(ncap);
        if (nbuf == NULL)
            return BL_ENOMEM;
        if (f->len) {
            first = f->cap - f->head < f->len ? f->cap - f->head : f->len;
            memcpy(nbuf, f->buf + f->head, first);
            memcpy(nbuf + first, f->buf, f->len - first);
        }
        free(f->buf);
        f->buf = nbuf;
        f->cap = ncap;
        f->head = 0;
    }
    tail = (f->head + f->len) % f->cap;
    first = f->cap - tail < bytes ? f->cap - tail : bytes;
    memcpy(f->buf + tail, src, first);
    memcpy(f->buf, src + first, bytes - first);
    f->len += bytes;
    if (dropped != NULL)
        *dropped = lost;
    return BL_OK;
}

size_t bl_fifo_pop(bl_fifo_t *f, void *out, size_t bytes)
{
    uint8_t *dst = out;
    size_t first;

    if (bytes > f->len)
        bytes = f->len;
    if (bytes == 0)
        return 0;
    first = f->cap - f->head < bytes ? f->cap - f->head : bytes;
    memcpy(dst, f->buf + f->head, first);
    memcpy(dst + first, f->buf, bytes - first);
    fifo_drop(f, bytes);
    return bytes;
}
