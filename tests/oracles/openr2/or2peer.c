/*
 * or2peer - one OpenR2 channel (China variant) on a pipe, as the far end of an E1 timeslot.
 *
 * Test oracle, not library code. Linked with the static libopenr2.a and
 *   -Wl,--wrap=open,--wrap=close,--wrap=read,--wrap=write,--wrap=ioctl,--wrap=gettimeofday
 * so the library's device calls land here: they emulate one DAHDI CAS channel whose ABCD bits
 * and A-law audio travel over stdin/stdout, and a virtual clock that advances 20 ms per tick.
 *
 * Per tick, stdin carries "T <rx_abcd>\n" followed by 160 A-law octets (what the board sent);
 * stdout answers "F <tx_abcd> <n>\n", then n event lines, then 160 A-law octets.
 *
 * Usage: or2peer answer <max_dnis> [option=value ...]
 *            take every call: ani_first=1|0 (OpenR2's get_ani_first, default 1),
 *            outcome=answer|busy|unallocated|congestion|out_of_order (default answer),
 *            hold=<ms> clear back that long after answering (default -1: never)
 *        or2peer call <ani|-> <dnis> <hold_ms> [option=value ...]
 *            place one call ("-": calling number restricted), clear forward hold_ms after
 *            the answer (-1: never); category=<OpenR2 category name> (default
 *            NATIONAL_SUBSCRIBER), protocol=<file> loads an OpenR2 advanced protocol file
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <openr2.h>

#define FAKE_FD 4242
#define FRAME 160
#define RXQ 8000

/* DAHDI ioctl requests and constants used by OpenR2 1.3 */
#define J_CHANNO 0x8004da22u
#define J_GET_PARAMS 0xc088da05u
#define J_GET_BUFINFO 0x8018da1bu
#define J_SET_BUFINFO 0x4018da1bu
#define J_SETGAINS 0x4204da10u
#define J_SETLAW 0x4004da27u
#define J_SETLINEAR 0x4004da21u
#define J_SPECIFY 0x4004da26u
#define J_IOMUX 0xc004da09u
#define J_GETEVENT 0x8004da08u
#define J_SETTXBITS 0x4004da2bu
#define J_GETRXBITS 0x8004da2bu
#define J_FLUSH 0x4004da03u
#define SIG_CAS 0x8000
#define EV_BITSCHANGED 13
#define IOMUX_READ 1
#define IOMUX_WRITE 2
#define IOMUX_SIGEVENT 8

int __real_open(const char *path, int flags, ...);
int __real_close(int fd);
ssize_t __real_read(int fd, void *buf, size_t n);
ssize_t __real_write(int fd, const void *buf, size_t n);
int __real_ioctl(int fd, unsigned long req, void *arg);
int __real_gettimeofday(struct timeval *tv, void *tz);

static long long now_us = 1000000000LL;
static int rx_bits = 0xB, tx_bits = 0xB;
static int events[64], nev;
static unsigned char rxq[RXQ];
static int rxlen;
static unsigned char txbuf[FRAME];
static int txlen;
static char out_events[64][160];
static int nout;

static void emit(const char *fmt, ...)
{
    va_list ap;
    if (nout >= 64)
        return;
    va_start(ap, fmt);
    vsnprintf(out_events[nout++], 160, fmt, ap);
    va_end(ap);
}

int __wrap_open(const char *path, int flags, ...)
{
    if (strstr(path, "dahdi"))
        return FAKE_FD;
    return __real_open(path, flags, 0644);
}

int __wrap_close(int fd) { return fd == FAKE_FD ? 0 : __real_close(fd); }

ssize_t __wrap_read(int fd, void *buf, size_t n)
{
    if (fd != FAKE_FD)
        return __real_read(fd, buf, n);
    if (nev) {
        errno = 500; /* ELAST: an event is pending */
        return -1;
    }
    if (rxlen == 0) {
        errno = EAGAIN;
        return -1;
    }
    size_t got = n < (size_t) rxlen ? n : (size_t) rxlen;
    memcpy(buf, rxq, got);
    memmove(rxq, rxq + got, rxlen - got);
    rxlen -= (int) got;
    return (ssize_t) got;
}

ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
    if (fd != FAKE_FD)
        return __real_write(fd, buf, n);
    size_t room = FRAME - txlen;
    size_t put = n < room ? n : room;
    memcpy(txbuf + txlen, buf, put);
    txlen += (int) put;
    return (ssize_t) n;
}

int __wrap_ioctl(int fd, unsigned long req, void *arg)
{
    int *ip = arg;
    if (fd != FAKE_FD)
        return __real_ioctl(fd, req, arg);
    switch (req) {
    case J_CHANNO: *ip = 1; return 0;
    case J_GET_PARAMS:
        memset(arg, 0, 0x88);
        ip[0] = 1; ip[1] = 1; ip[2] = 1; ip[3] = SIG_CAS;
        return 0;
    case J_GET_BUFINFO: memset(arg, 0, 0x18); return 0;
    case J_IOMUX: {
        int want = *ip, got = 0;
        if ((want & IOMUX_SIGEVENT) && nev) got |= IOMUX_SIGEVENT;
        if ((want & IOMUX_READ) && rxlen) got |= IOMUX_READ;
        if ((want & IOMUX_WRITE) && txlen < FRAME) got |= IOMUX_WRITE;
        *ip = got;
        return 0;
    }
    case J_GETEVENT:
        if (nev) {
            *ip = events[0];
            memmove(events, events + 1, sizeof(int) * (size_t) --nev);
        } else {
            *ip = 0;
        }
        return 0;
    case J_GETRXBITS: *ip = rx_bits; return 0;
    case J_SETTXBITS: tx_bits = *ip & 0xF; return 0;
    default: return 0; /* SET_BUFINFO, SETGAINS, SETLAW, SETLINEAR, SPECIFY, FLUSH, ... */
    }
}

int __wrap_gettimeofday(struct timeval *tv, void *tz)
{
    (void) tz;
    tv->tv_sec = now_us / 1000000;
    tv->tv_usec = now_us % 1000000;
    return 0;
}

/* ------------------------------------------------------------------ call handling */
static const char *mode;
static const char *outcome = "answer";
static long long answered_at = -1;
static openr2_calling_party_category_t category = OR2_CALLING_PARTY_CATEGORY_NATIONAL_SUBSCRIBER;
static openr2_chan_t *chan;

static void on_call_init(openr2_chan_t *c) { (void) c; emit("init"); }
static void on_call_offered(openr2_chan_t *c, const char *ani, const char *dnis,
                            openr2_calling_party_category_t cat)
{
    emit("offered ani=%s dnis=%s category=%s", ani ? ani : "-", dnis,
         openr2_proto_get_category_string(cat));
    if (!strcmp(outcome, "busy"))
        openr2_chan_disconnect_call(c, OR2_CAUSE_BUSY_NUMBER);
    else if (!strcmp(outcome, "unallocated"))
        openr2_chan_disconnect_call(c, OR2_CAUSE_UNALLOCATED_NUMBER);
    else if (!strcmp(outcome, "congestion"))
        openr2_chan_disconnect_call(c, OR2_CAUSE_NETWORK_CONGESTION);
    else if (!strcmp(outcome, "out_of_order"))
        openr2_chan_disconnect_call(c, OR2_CAUSE_OUT_OF_ORDER);
    else
        openr2_chan_accept_call(c, OR2_CALL_WITH_CHARGE);
}
static void on_call_accepted(openr2_chan_t *c, openr2_call_mode_t m)
{
    emit("accepted %d", (int) m);
    if (!strcmp(mode, "answer") && !openr2_chan_answer_call(c)) {
        emit("answering");
        answered_at = now_us;
    }
}
static void on_call_answered(openr2_chan_t *c)
{
    (void) c;
    emit("answered");
    answered_at = now_us;
}
static void on_call_disconnect(openr2_chan_t *c, openr2_call_disconnect_cause_t cause)
{
    emit("disconnect %s", openr2_proto_get_disconnect_string(cause));
    answered_at = -1;
    openr2_chan_disconnect_call(c, OR2_CAUSE_NORMAL_CLEARING);
}
static void on_call_end(openr2_chan_t *c) { (void) c; emit("end"); answered_at = -1; }
static void on_call_read(openr2_chan_t *c, const unsigned char *b, int n) { (void) c; (void) b; (void) n; }
static void on_alarm(openr2_chan_t *c, int a) { (void) c; emit("alarm %d", a); }
static void on_os_error(openr2_chan_t *c, int e) { (void) c; emit("os_error %d", e); }
static void on_protocol_error(openr2_chan_t *c, openr2_protocol_error_t e)
{
    emit("protocol_error %s", openr2_proto_get_error(e));
    openr2_chan_disconnect_call(c, OR2_CAUSE_NORMAL_CLEARING);
}
static void on_blocked(openr2_chan_t *c) { (void) c; emit("blocked"); }
static void on_idle(openr2_chan_t *c) { (void) c; emit("idle"); }
static void on_log(openr2_context_t *x, openr2_log_level_t l, const char *f, va_list ap)
{
    (void) x; (void) l; (void) f; (void) ap;
}
static void chan_log(openr2_chan_t *c, openr2_log_level_t l, const char *f, va_list ap)
{
    (void) c; (void) l;
    if (getenv("OR2PEER_DEBUG")) {
        fprintf(stderr, "[%lld ms] ", (now_us - 1000000000LL) / 1000);
        vfprintf(stderr, f, ap);
    }
}
static int on_dnis(openr2_chan_t *c, char d) { (void) c; (void) d; return 1; }
static void on_ani(openr2_chan_t *c, char d) { (void) c; (void) d; }
static void on_billing(openr2_chan_t *c) { (void) c; }

/* value of option "name=value" among argv[from..argc-1], or NULL */
static const char *option(int argc, char **argv, int from, const char *name)
{
    size_t n = strlen(name);
    for (int i = from; i < argc; i++)
        if (!strncmp(argv[i], name, n) && argv[i][n] == '=')
            return argv[i] + n + 1;
    return NULL;
}

int main(int argc, char **argv)
{
    static openr2_event_interface_t ev = {
        .on_call_init = on_call_init, .on_call_offered = on_call_offered,
        .on_call_accepted = on_call_accepted, .on_call_answered = on_call_answered,
        .on_call_disconnect = on_call_disconnect, .on_call_end = on_call_end,
        .on_call_read = on_call_read, .on_hardware_alarm = on_alarm,
        .on_os_error = on_os_error, .on_protocol_error = on_protocol_error,
        .on_line_blocked = on_blocked, .on_line_idle = on_idle, .on_context_log = on_log,
        .on_dnis_digit_received = on_dnis, .on_ani_digit_received = on_ani,
        .on_billing_pulse_received = on_billing,
    };
    char line[256];
    long long hold_ms = -1;
    int max_dnis = 4, opts;
    const char *ani = NULL, *dnis = NULL, *value;
    if (argc < 2) {
        fprintf(stderr, "usage: or2peer answer <max_dnis> [opt=val ...] | "
                        "call <ani|-> <dnis> <hold_ms> [opt=val ...]\n");
        return 2;
    }
    mode = argv[1];
    if (!strcmp(mode, "answer")) {
        if (argc < 3)
            return 2;
        max_dnis = atoi(argv[2]);
        opts = 3;
        if ((value = option(argc, argv, opts, "outcome")))
            outcome = value;
        if ((value = option(argc, argv, opts, "hold")))
            hold_ms = atoll(value);
    } else if (!strcmp(mode, "call")) {
        if (argc < 5)
            return 2;
        ani = strcmp(argv[2], "-") ? argv[2] : NULL;
        dnis = argv[3];
        hold_ms = atoll(argv[4]);
        max_dnis = (int) strlen(dnis);
        opts = 5;
        if ((value = option(argc, argv, opts, "category")) &&
            (category = openr2_proto_get_category(value)) == OR2_CALLING_PARTY_CATEGORY_UNKNOWN) {
            fprintf(stderr, "unknown category %s\n", value);
            return 2;
        }
    } else {
        return 2;
    }
    openr2_context_t *ctx = openr2_context_new(NULL, &ev, NULL, OR2_VAR_CHINA, 20, max_dnis);
    if (!ctx) {
        fprintf(stderr, "cannot create OpenR2 context\n");
        return 1;
    }
    openr2_context_set_log_level(ctx, OR2_LOG_NOTHING);
    if ((value = option(argc, argv, opts, "ani_first")))
        openr2_context_set_ani_first(ctx, atoi(value));
    if ((value = option(argc, argv, opts, "protocol")) &&
        openr2_context_configure_from_advanced_file(ctx, value)) {
        fprintf(stderr, "cannot load OpenR2 protocol file %s\n", value);
        return 1;
    }
    chan = openr2_chan_new(ctx, 1, NULL, NULL);
    if (!chan) {
        fprintf(stderr, "cannot create OpenR2 channel\n");
        return 1;
    }
    openr2_chan_set_logging_func(chan, chan_log);
    openr2_chan_set_log_level(chan, getenv("OR2PEER_DEBUG") ? OR2_LOG_ALL : OR2_LOG_NOTHING);
    openr2_chan_set_idle(chan);
    events[nev++] = EV_BITSCHANGED; /* let OpenR2 read the far end's idle bits first */
    int placed = 0;
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    while (fgets(line, sizeof line, stdin)) {
        int bits;
        if (sscanf(line, "T %d", &bits) != 1)
            break;
        unsigned char frame[FRAME];
        if (fread(frame, 1, FRAME, stdin) != FRAME)
            break;
        if ((bits & 0xF) != rx_bits) {
            rx_bits = bits & 0xF;
            events[nev++] = EV_BITSCHANGED;
        }
        if (rxlen + FRAME <= RXQ) {
            memcpy(rxq + rxlen, frame, FRAME);
            rxlen += FRAME;
        }
        now_us += 20000;
        txlen = 0;
        if (!strcmp(mode, "call") && !placed && now_us >= 1000000000LL + 200000) {
            placed = 1;
            if (openr2_chan_make_call(chan, ani, dnis, category))
                emit("make_call_failed");
        }
        for (int i = 0; i < 4 && (nev || rxlen || txlen < FRAME); i++)
            openr2_chan_process_event(chan);
        /* the forward side clears forward, the backward side clears back */
        if (answered_at >= 0 && hold_ms >= 0 && now_us >= answered_at + hold_ms * 1000) {
            emit("hangup");
            answered_at = -1;
            openr2_chan_disconnect_call(chan, OR2_CAUSE_NORMAL_CLEARING);
        }
        printf("F %d %d\n", tx_bits, nout);
        for (int i = 0; i < nout; i++)
            printf("%s\n", out_events[i]);
        nout = 0;
        if (txlen < FRAME)
            memset(txbuf + txlen, 0xD5, FRAME - txlen); /* A-law silence */
        fwrite(txbuf, 1, FRAME, stdout);
        fflush(stdout);
    }
    /* the process ends here: the operating system releases the channel and context */
    return 0;
}
