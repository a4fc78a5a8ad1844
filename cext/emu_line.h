/*
 * emu_line.h - the built-in drivers compiled into boardlib._cabi, and the line side of the
 * emulated board.
 *
 * Two drivers implement bl_driver_v1_t exactly as a vendor library does, so boardlib reaches
 * them through the same binding:
 *   loop  - channels wired in pairs (0<->1, 2<->3, ...): a frame written on one is read on
 *           the other. Faults are injected through the options string.
 *   emu   - an emulated board whose "line side" is driven by the telephone exchange of
 *           boardlib.emulator through the bl_emu_* functions below.
 *
 * Board options (board_open's options string, "key=value&key=value"):
 *   channels=N        number of channels (loop: even, default 2; emu: default 4)
 *   law=alaw|ulaw|slin  codec of frames (default alaw)
 *   frame=N           samples per frame (default 160)
 *   stations=N        emu: number of analog station ports (FXS, 0..480) after the lines
 *   spans=N           emu: number of E1 spans (30 channels each) appended after the lines
 *                     (and the stations)
 *   fail=OP:CODE[@N]  fail every call of OP (open, close, read, write, next_event, command,
 *                     channel_info, event_fd) with CODE, or only the N-th call and later
 *                     (loop and emu)
 *   clock=virtual|realtime  loop: virtual (default) reads always return a frame; realtime
 *                     paces frames by the monotonic clock like a hardware board, and the
 *                     event fd signals frames as well as events (loopdrv.c)
 *
 * Time on the emu board is a sample clock advanced only by bl_emu_tick(); reads return the
 * frame of the current tick. Only the loop board with clock=realtime reads the wall clock.
 */
#ifndef BOARDLIB_EMU_LINE_H
#define BOARDLIB_EMU_LINE_H

#include "boardlib_abi.h"

/* BL_CDEF_BEGIN */
const bl_driver_v1_t *bl_loop_driver_entry(void);
const bl_driver_v1_t *bl_emu_driver_entry(void);

/* Advance the emulated board's clock by one frame: the frames the line side queued for
   this tick become readable by the board, the board's writes of the previous tick become
   receivable by the line side. Returns the new clock (samples) or a negative code. */
int64_t bl_emu_tick(bl_board_t *board);
int64_t bl_emu_now(bl_board_t *board);

/* Line side -> board: queue audio (in the board's codec units: octets for alaw/ulaw, int16
   for slin) that the board will read on channel ch, frame by frame, after what is already
   queued. When the queue is empty the board reads the loop buffer (set_loop) or silence. */
int bl_emu_line_send(bl_board_t *board, int ch, const void *data, int n);
int bl_emu_line_clear(bl_board_t *board, int ch);
int bl_emu_line_queued(bl_board_t *board, int ch);
/* Repeat this buffer while nothing is queued (dial tone, ringback); n = 0 removes it. */
int bl_emu_line_set_loop(bl_board_t *board, int ch, const void *data, int n);

/* Board -> line side: the audio the board wrote on channel ch, oldest first, up to max
   units; returns the count. Only kept while monitoring is on for the channel (else the
   board's writes are discarded after each tick). */
int bl_emu_line_receive(bl_board_t *board, int ch, void *data, int max);
int bl_emu_line_monitor(bl_board_t *board, int ch, int on);

/* Line side raises a board event on channel ch (BL_EV_RING_ON, BL_EV_RING_OFF,
   BL_EV_POLARITY, BL_EV_LOOP_DROP, BL_EV_OFFHOOK / BL_EV_ONHOOK / BL_EV_FLASH for an FXS
   station, BL_EV_CAS with value = ABCD bits). It is stamped with the board clock. */
int bl_emu_line_signal(bl_board_t *board, int ch, int type, int value);
/* What the board did to the line, oldest first: BL_EV_OFFHOOK, BL_EV_ONHOOK, BL_EV_FLASH
   (value = ms), BL_EV_CAS (value = ABCD bits transmitted), BL_EV_RING_ON / BL_EV_RING_OFF
   (the board rings an FXS station), BL_EV_POLARITY (value 0/1, FXS), BL_EV_LOOP_DROP (the
   board released an FXS port whose station is off-hook). 1 = event stored, 0 = none. */
int bl_emu_line_next_event(bl_board_t *board, bl_event_t *event);
/* Current hook state the board set on channel ch: 1 off-hook, 0 on-hook. */
int bl_emu_line_hook(bl_board_t *board, int ch);

/* Faults: raise span alarms (BL_ALARM_* bits, 0 clears; a BL_EV_ALARM event is raised),
   make an operation fail ("read:-5", "write:-5@3", "command:-4"; code 0 clears: "read:0"),
   lose frames (the next
   read returns BL_EOVERRUN after raising BL_EV_OVERRUN), or remove the board (every later
   call returns BL_EREMOVED after one BL_EV_REMOVED event). */
int bl_emu_set_alarm(bl_board_t *board, int span, int bits);
int bl_emu_fault(bl_board_t *board, const char *spec);
/* BL_CDEF_END */

#endif /* BOARDLIB_EMU_LINE_H */
