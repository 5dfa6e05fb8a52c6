/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ptrace event loop of kmodaudit trace. CMD and every descendant (threads, forks, vforks,
 * exec'd programs) are traced from their first instruction; they stop only at the module
 * syscalls (the seccomp filter), at fork/clone/exec events and at signals.
 *
 * At a module call the tracee's thread is stopped in its syscall. Before its arguments are read,
 * every other tracee is stopped too (PTRACE_INTERRUPT), not only the threads sharing its memory,
 * and held until the syscall returns: a forked process of the trace can change the caller's image
 * as well (a MAP_SHARED file or memfd page, shm, process_vm_writev, /proc/PID/mem, a
 * userfaultfd it serves). What the tracer copies and hashes is then byte for byte what the
 * kernel copies, as far as processes of the trace go; an init_module image the kernel even reads
 * from the tracer's own copy (trace_private_begin), whoever else writes the caller's memory. A
 * vfork parent waiting for its child cannot run, so it is not waited for. Module calls are handled
 * one at a time. An image a userfaultfd serves is not read at all (trace-call.c) and holds nothing
 * (call_release).
 *
 * No wait for an interrupt stop may be unbounded: a vfork parent the tracer saw no vfork event
 * of cannot stop until its child is done, which may wait for the very call being held. While
 * stops are awaited the loop polls (hold_sleepers).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/kcmp.h>

#include "cmd/trace/trace.h"
#include "clock.h"
#include "macro.h"
#include "core/procctx.h"

struct held_call;

enum stop_kind {
	STOP_OTHER,  /* fork/clone/exec/vfork-done/seccomp event, or a syscall stop */
	STOP_SIGNAL, /* signal-delivery-stop: resume_sig is its signal */
	STOP_JOBCTL, /* PTRACE_EVENT_STOP: interrupt or group stop, outside any syscall */
};

struct tracee {
	pid_t tid;
	bool stopped;		    /* in a ptrace-stop we have not resumed */
	int resume_sig;		    /* signal to deliver when it is resumed */
	bool listen;		    /* in group-stop: resume with PTRACE_LISTEN, it stays stopped */
	bool in_vfork;		    /* vfork parent waiting for its child: runs no code meanwhile */
	bool at_module_call;	    /* stopped at a module call not handled yet */
	bool interrupt_sent;	    /* PTRACE_INTERRUPT sent for held_for, stop not seen yet */
	bool detached;		    /* let go (end of the trace): to be dropped from the table */
	enum stop_kind stop_kind;   /* what its last stop was */
	bool parked;		    /* leaving: stopped and left so until it can be let go */
	bool refusing;		    /* leaving: the refusal filter is in place */
	bool kept;		    /* leaving: the filter could not be put in: traced to its end */
	pid_t vfork_parent;	    /* the vfork parent it was born of (0: none) */
	struct held_call *own;	    /* its module call being handled */
	struct held_call *held_for; /* stopped for another thread's module call */
};

/* A module call and the threads held still for it. */
struct held_call {
	struct tracee *caller;
	struct trace_call *call;
	unsigned int waiting;	 /* interrupted threads whose stop has not been seen */
	bool in_flight;		 /* the kernel is running it: next stop is syscall exit */
	bool refused;		 /* fail-closed: the syscall is skipped, -EPERM at exit */
	bool released;		 /* holds nothing any more (call_release) */
	int pending_sig;	 /* a signal that came during an injected call, for the caller */
	long long wait_since_ms; /* when the loop began polling for the interrupt stops */
	struct held_call *next;
};

struct tracer {
	struct kma_ctx *ctx;
	struct tracee **tracees;
	size_t n, cap;
	struct held_call *calls;
	pid_t cmd;
	bool cmd_done;
	int cmd_status;
	bool detaching; /* the trace is ending: every tracee is let go (leave_settle) */
	const struct trace_opts *opts;
	pid_t *ever; /* every tid ever traced: a signal from one never ends the trace */
	size_t n_ever, cap_ever;
	long long seen_ms[NSIG]; /* when CMD last stopped for this signal (signal-delivery-stop) */
	long long owed_ms[NSIG]; /* when the loop first saw this signal owed, 0: not yet */
	unsigned int forwarded[NSIG]; /* sent by us, CMD's stop for it not seen yet */
};

static volatile sig_atomic_t stop_following;
/* SIGTERM or SIGHUP received and not yet forwarded to CMD (forward_owed() decides). */
static volatile sig_atomic_t owed_signal[NSIG];
/* Who sent it (si_pid; 0 for the kernel): a tracee's never ends the trace. */
static volatile sig_atomic_t owed_from[NSIG];

/*
 * SIGTERM and SIGHUP to the tracer are CMD's: a service manager stopping us stops CMD. But CMD
 * must get each one once. One sent by the kernel (SI_KERNEL: a terminal hang-up, sent to the
 * terminal's session and foreground group) has reached CMD itself: never forwarded. One sent by
 * a process (kill) may have been aimed at our process group, or at every process of a cgroup,
 * CMD included; siginfo does not say. When CMD is in our process group, the loop therefore
 * forwards it only if CMD shows no signal-delivery-stop of the same signal within
 * FORWARD_GRACE_MS before or after (a group kill signals every member in one kernel pass, and
 * CMD, traced, stops for it as soon as it runs). The price: a CMD that cannot run meanwhile
 * (stopped, or asleep uninterruptibly) while the group is killed gets the signal twice.
 */
#define FORWARD_GRACE_MS 50

static volatile sig_atomic_t forward_pid; /* CMD while it runs, else 0 */

static void note_signal(int sig, siginfo_t *info, void *ucontext)
{
	static const struct itimerval wake = {.it_value.tv_usec = 2 * FORWARD_GRACE_MS * 1000};
	pid_t cmd = forward_pid;
	int saved = errno;

	(void)ucontext;
	if (info->si_code == SI_KERNEL) {
		/* reached CMD itself */
	} else if (cmd > 0 && getpgid(cmd) != getpgrp() && kill(cmd, sig) == 0) {
		/* not in our group: no group kill reached it, forwarded at once */
	} else {
		owed_from[sig] = info->si_pid;
		owed_signal[sig] = 1;
		/* a blocking waitpid entered just after the loop's check must wake to decide */
		setitimer(ITIMER_REAL, &wake, NULL);
	}
	errno = saved;
}

static void wake_up(int sig)
{
	(void)sig;
}

static bool ever_traced(struct tracer *t, pid_t pid)
{
	for (size_t i = 0; pid > 0 && i < t->n_ever; i++)
		if (t->ever[i] == pid)
			return true;
	return false;
}

/* A SIGTERM or SIGHUP CMD stopped for (signal-delivery-stop). */
static void note_cmd_signal(struct tracer *t, struct tracee *u, int sig)
{
	if ((sig != SIGTERM && sig != SIGHUP) || procctx_tgid(u->tid) != t->cmd)
		return;
	if (t->forwarded[sig]) {
		t->forwarded[sig]--; /* the one we sent */
		return;
	}
	t->seen_ms[sig] = clock_monotonic_ms();
}

/*
 * Settle the owed signals: forwarded, or dropped when CMD got them itself (above). True while
 * one still waits for its grace period: the loop polls meanwhile.
 */
static bool forward_owed(struct tracer *t)
{
	static const int sigs[] = {SIGTERM, SIGHUP};
	long long now = clock_monotonic_ms();
	bool waiting = false;

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		int sig = sigs[i];

		if (!owed_signal[sig])
			continue;
		if (!t->owed_ms[sig])
			t->owed_ms[sig] = now;
		if (!t->cmd_done &&
		    !(t->seen_ms[sig] && t->seen_ms[sig] >= t->owed_ms[sig] - FORWARD_GRACE_MS) &&
		    now - t->owed_ms[sig] < FORWARD_GRACE_MS) {
			waiting = true;
			continue;
		}
		owed_signal[sig] = 0;
		if (t->cmd_done || (t->seen_ms[sig] < t->owed_ms[sig] - FORWARD_GRACE_MS &&
				    kill(t->cmd, sig) < 0)) {
			/* CMD is gone: --follow ends (the others are let go, refusing module
			 * calls), unless a process of the trace sent it: it cannot end its own
			 * trace. */
			if (ever_traced(t, (pid_t)owed_from[sig]))
				fprintf(stderr,
					"kmodaudit trace: signal %d from traced process %d "
					"ignored\n",
					sig, (int)owed_from[sig]);
			else
				stop_following = 1;
		} else if (t->seen_ms[sig] >= t->owed_ms[sig] - FORWARD_GRACE_MS) {
			t->seen_ms[sig] = 0; /* CMD got this one itself */
		} else {
			t->forwarded[sig]++;
		}
		t->owed_ms[sig] = 0;
	}
	return waiting;
}

static struct tracee *tracee_find(struct tracer *t, pid_t tid)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->tracees[i]->tid == tid)
			return t->tracees[i];
	return NULL;
}

static struct tracee *tracee_add(struct tracer *t, pid_t tid)
{
	struct tracee *u = tracee_find(t, tid);

	if (u)
		return u;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct tracee **v = realloc(t->tracees, cap * sizeof(*v));

		if (!v)
			return NULL;
		t->tracees = v;
		t->cap = cap;
	}
	if (t->n_ever == t->cap_ever) {
		size_t cap = t->cap_ever ? t->cap_ever * 2 : 64;
		pid_t *v = realloc(t->ever, cap * sizeof(*v));

		if (!v)
			return NULL;
		t->ever = v;
		t->cap_ever = cap;
	}
	u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	t->ever[t->n_ever++] = tid;
	u->tid = tid;
	t->tracees[t->n++] = u;
	return u;
}

static void tracee_remove(struct tracer *t, struct tracee *u)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->tracees[i] == u) {
			t->tracees[i] = t->tracees[--t->n];
			break;
		}
	free(u);
}

static void resume(struct tracer *t, struct tracee *u)
{
	long r;

	if (!u->stopped)
		return;
	if (u->own && u->own->in_flight)
		r = ptrace(PTRACE_SYSCALL, u->tid, 0L, (long)u->resume_sig);
	else if (t->detaching && !u->kept) {
		/* Leaving: it stays stopped (signal and all) until it can be let go (leave_settle).
		 */
		u->parked = true;
		return;
	} else if (u->listen)
		r = ptrace(PTRACE_LISTEN, u->tid, 0L, 0L);
	else
		r = ptrace(PTRACE_CONT, u->tid, 0L, (long)u->resume_sig);
	/* ESRCH: it was killed meanwhile; its exit is reported to the loop. */
	(void)r;
	u->stopped = false;
	u->listen = false;
	u->resume_sig = 0;
}

/* Whether a and b run in one address space (threads of a process, or a CLONE_VM child). */
static bool same_memory(struct tracee *a, struct tracee *b)
{
	long r = syscall(SYS_kcmp, a->tid, b->tid, KCMP_VM, 0L, 0L);
	pid_t ta;

	if (r >= 0)
		return r == 0;
	if (errno == ESRCH)
		return false;
	/* No kcmp in this kernel: threads of one process at least. */
	ta = procctx_tgid(a->tid);
	return ta > 0 && ta == procctx_tgid(b->tid);
}

/* The call that holds every tracee still, if one is being handled. */
static struct held_call *call_holding(struct tracer *t, struct tracee *u)
{
	for (struct held_call *h = t->calls; h; h = h->next)
		if (h->caller != u && !h->released)
			return h;
	return NULL;
}

/*
 * The call's image lies in memory a userfaultfd serves: its handler (maybe a held tracee) would
 * answer the kernel's copy and the tracer's read as it liked, and a held handler would never
 * answer. The tracer read nothing of it (the record says truncated_read and states no contents),
 * so there is nothing to hold still for: every held tracee goes on.
 */
static void call_release(struct tracer *t, struct held_call *h)
{
	h->released = true;
	for (size_t i = 0; i < t->n; i++) {
		struct tracee *u = t->tracees[i];

		if (u->held_for != h)
			continue;
		u->held_for = NULL;
		if (u->interrupt_sent) {
			u->interrupt_sent = false; /* resumed at its stop */
			continue;
		}
		if (!u->at_module_call)
			resume(t, u);
	}
}

static void tracee_gone(struct tracer *t, struct tracee *u);

/* A tracee reaped by a wait of trace-inject.c: only SIGKILL ends one held in a ptrace-stop. */
static void tracee_reaped(struct tracer *t, struct tracee *u)
{
	if (u->tid == t->cmd) {
		t->cmd_done = true;
		t->cmd_status = SIGKILL;
		forward_pid = 0;
	}
	tracee_gone(t, u);
}

static void call_proceed(struct tracer *t, struct held_call *h)
{
	int r = trace_call_begin(t->ctx, h->call, &h->pending_sig);

	h->in_flight = true;
	if (r == -ESRCH) {
		tracee_reaped(t, h->caller); /* records it with an unknown answer */
		return;
	}
	if (r == 0) {
		/* Fail-closed: syscall number -1 makes the kernel skip it; -EPERM set at exit. */
#if defined(__x86_64__)
		h->refused = ptrace(PTRACE_POKEUSER, h->caller->tid,
				    offsetof(struct user, regs.orig_rax), -1L) == 0;
#endif
	}
	if (trace_call_unheld(h->call))
		call_release(t, h);
	resume(t, h->caller);
}

static void start_calls(struct tracer *t);

/* The call is over (ret is the kernel's answer): record it, let every held thread go. */
static void call_finish(struct tracer *t, struct held_call *h, long ret)
{
	struct held_call **pp;

	if (h->in_flight)
		trace_call_end(t->ctx, h->call, ret);
	trace_call_free(h->call);
	for (pp = &t->calls; *pp; pp = &(*pp)->next)
		if (*pp == h) {
			*pp = h->next;
			break;
		}
	if (h->caller)
		h->caller->own = NULL;
	for (size_t i = 0; i < t->n; i++) {
		struct tracee *u = t->tracees[i];

		if (u->held_for != h)
			continue;
		u->held_for = NULL;
		if (u->interrupt_sent) {
			/* Its stop is still to come; it is resumed then. */
			u->interrupt_sent = false;
			continue;
		}
		if (!u->at_module_call)
			resume(t, u);
	}
	if (h->caller)
		resume(t, h->caller);
	free(h);
	start_calls(t);
}

/* u is stopped at a module call and nothing holds it: handle the call. */
static void call_start(struct tracer *t, struct tracee *u)
{
	struct trace_call *call = NULL;
	struct held_call *h;
	int r;

	u->at_module_call = false;
	r = trace_call_read(u->tid, &call);
	if (r <= 0) {
		/* No module call (another arch's number), or gone. */
		if (r < 0 && r != -ESRCH)
			fprintf(stderr, "kmodaudit trace: reading module call of %d: %s\n", u->tid,
				strerror(-r));
		resume(t, u);
		return;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		trace_call_free(call);
		resume(t, u);
		return;
	}
	h->caller = u;
	h->call = call;
	h->next = t->calls;
	t->calls = h;
	u->own = h;

	for (size_t i = 0; i < t->n; i++) {
		struct tracee *v = t->tracees[i];

		if (v == u || v->held_for || v->own)
			continue;
		v->held_for = h;
		if (v->stopped || v->in_vfork)
			continue;
		if (ptrace(PTRACE_INTERRUPT, v->tid, 0L, 0L) == 0) {
			v->interrupt_sent = true;
			h->waiting++;
		}
	}
	/*
	 * The image is read after every sharer stopped, i.e. only now or when the last stop is
	 * seen: reading earlier would hash bytes another thread may still change.
	 */
	if (!h->waiting)
		call_proceed(t, h);
}

/* Module calls that waited while their address space was held for another one. */
static void start_calls(struct tracer *t)
{
	for (size_t i = 0; i < t->n; i++) {
		struct tracee *u = t->tracees[i];

		if (u->stopped && u->at_module_call && !u->held_for && !u->own)
			call_start(t, u);
	}
}

static void on_syscall_stop(struct tracer *t, struct tracee *u)
{
	struct __ptrace_syscall_info si = {0};
	struct held_call *h = u->own;
	long ret;

	if (!h || !h->in_flight ||
	    ptrace(PTRACE_GET_SYSCALL_INFO, u->tid, (void *)sizeof(si), &si) < 0 ||
	    si.op != PTRACE_SYSCALL_INFO_EXIT) {
		resume(t, u);
		return;
	}
	ret = si.exit.rval;
	if (trace_call_exit(h->call, &h->pending_sig) == -ESRCH) {
		/* killed while its copy was unmapped: the kernel's answer is known all the same */
		call_finish(t, h, ret);
		tracee_reaped(t, u);
		return;
	}
	u->resume_sig = h->pending_sig; /* one that came while the tracer ran calls in it */
	if (h->refused) {
		ret = -EPERM;
#if defined(__x86_64__)
		ptrace(PTRACE_POKEUSER, u->tid, offsetof(struct user, regs.rax), ret);
#endif
	}
	call_finish(t, h, ret);
}

/* A tracee is gone (exited, killed, or replaced by an exec'ing thread). */
static void tracee_gone(struct tracer *t, struct tracee *u)
{
	struct held_call *own = u->own;
	struct held_call *waited = u->interrupt_sent ? u->held_for : NULL;

	tracee_remove(t, u);
	if (own) {
		/* Killed inside the call: the kernel's answer cannot be seen. */
		own->caller = NULL;
		call_finish(t, own, KMA_RET_UNKNOWN);
	}
	if (waited && --waited->waiting == 0)
		call_proceed(t, waited);
}

static void on_event(struct tracer *t, struct tracee *u, int event)
{
	unsigned long msg = 0;

	switch (event) {
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		/* The child starts traced; its first stop may even come before this one. */
		if (ptrace(PTRACE_GETEVENTMSG, u->tid, 0L, &msg) == 0) {
			struct tracee *child = tracee_add(t, (pid_t)msg);

			if (child && event == PTRACE_EVENT_VFORK)
				child->vfork_parent = u->tid;
		}
		if (event == PTRACE_EVENT_VFORK)
			u->in_vfork = true;
		break;
	case PTRACE_EVENT_VFORK_DONE:
		u->in_vfork = false;
		break;
	case PTRACE_EVENT_EXEC:
		/* A non-leader thread that execs takes over the leader's tid; its old tid is gone.
		 */
		if (ptrace(PTRACE_GETEVENTMSG, u->tid, 0L, &msg) == 0 && (pid_t)msg != u->tid) {
			struct tracee *former = tracee_find(t, (pid_t)msg);

			if (former)
				tracee_gone(t, former);
		}
		u->in_vfork = false;
		break;
	case PTRACE_EVENT_SECCOMP:
		u->at_module_call = true;
		break;
	}
}

static void on_stop(struct tracer *t, struct tracee *u, int status)
{
	int sig = WSTOPSIG(status);
	int event = (unsigned int)status >> 16;
	struct held_call *h;

	u->stopped = true;
	u->stop_kind = event == PTRACE_EVENT_STOP	       ? STOP_JOBCTL
		       : event == 0 && sig != (SIGTRAP | 0x80) ? STOP_SIGNAL
							       : STOP_OTHER;
	if (event == 0 && sig == (SIGTRAP | 0x80)) {
		on_syscall_stop(t, u);
		return;
	}
	if (event == 0) {
		u->resume_sig = sig; /* signal-delivery-stop: deliver it when resumed */
		note_cmd_signal(t, u, sig);
	} else if (event == PTRACE_EVENT_STOP)
		u->listen = sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
	else
		on_event(t, u, event);

	if (u->own) {
		/* The caller itself, on its way to its syscall exit (a late interrupt stop). */
		resume(t, u);
		return;
	}
	if (u->interrupt_sent) {
		/* The stop it was interrupted for (or any other): it is held now. */
		h = u->held_for;
		u->interrupt_sent = false;
		if (--h->waiting == 0)
			call_proceed(t, h);
		return;
	}
	if (u->held_for)
		return;
	/* A new thread, or a vfork parent let go, in an address space held for a call. */
	if (t->calls && (h = call_holding(t, u))) {
		u->held_for = h;
		return;
	}
	if (u->at_module_call) {
		call_start(t, u);
		return;
	}
	resume(t, u);
}

/*
 * The trace ends (CMD exited without --follow, or CMD is gone and someone outside the trace told
 * us to stop): every tracee is let go, after any module call it is in or stopped at has been
 * recorded, but never while it could still make a module call. A process let go keeps our
 * RET_TRACE filter, and that alone is not enough: the kernel answers ENOSYS for RET_TRACE only
 * while no tracer with PTRACE_O_TRACESECCOMP is attached, and any such tracer (one outside the
 * trace: inside it ptrace attach is refused) could continue the call into the kernel. So each
 * tracee is made to load a second filter that refuses the module syscalls (EPERM: an ERRNO
 * action outranks TRACE whoever traces it) before it is detached (trace-inject.c). Injection
 * writes the tracee's stack and code, so it is done only while every other tracee sharing that
 * memory is stopped (or is a vfork parent, which cannot run), and a process is let go only once
 * every thread of its memory refuses: until then the refusing ones stay stopped. A vfork child
 * refusing is let run, traced, until it execs or exits (its parent can only then stop and take
 * the filter). A tracee the filter cannot be put into (no CAP_SYS_ADMIN and no no_new_privs,
 * a stack pointer that points nowhere, a filter of CMD's that forbids seccomp()) is not let go:
 * it is traced, and its module calls recorded, until it exits.
 *
 * Exiting with tracees attached would kill them (PTRACE_O_EXITKILL), and a call caught at its
 * seccomp stop would run unrecorded if the tracer merely went away.
 */
static void leave_begin(struct tracer *t)
{
	t->detaching = true;
	for (size_t i = 0; i < t->n; i++) {
		struct tracee *u = t->tracees[i];

		if (!u->stopped)
			ptrace(PTRACE_INTERRUPT, u->tid, 0L, 0L);
		else if (!u->held_for && !u->own && !u->at_module_call)
			u->parked = true;
		/* held or waiting to make a module call: parked when that call is over */
	}
}

/* Let a stopped tracee run on, traced (it is to stop again: interrupt when asked). */
static void run_on(struct tracee *u, bool interrupt)
{
	ptrace(PTRACE_CONT, u->tid, 0L, (long)u->resume_sig);
	if (interrupt)
		ptrace(PTRACE_INTERRUPT, u->tid, 0L, 0L);
	u->resume_sig = 0;
	u->listen = false;
	u->stopped = false;
	u->parked = false;
}

/* Whether no other tracee can touch u's memory now: each sharer is stopped or a vfork parent. */
static bool memory_still(struct tracer *t, struct tracee *u, bool *kept_sharer)
{
	*kept_sharer = false;
	for (size_t i = 0; i < t->n; i++) {
		struct tracee *v = t->tracees[i];

		if (v == u || v->detached || (!v->kept && (v->stopped || v->in_vfork)))
			continue;
		if (same_memory(u, v)) {
			*kept_sharer = v->kept;
			return false;
		}
	}
	return true;
}

static void leave_settle(struct tracer *t)
{
	/* The refusal filter into every parked tracee whose memory is held still. */
	for (size_t i = 0; i < t->n; i++) {
		struct tracee *u = t->tracees[i];
		bool kept_sharer;
		int sig = 0, r;

		/* one held for a module call (of a tracee kept traced) waits for its end */
		if (!u->parked || u->refusing || u->kept || u->held_for)
			continue;
		if (!memory_still(t, u, &kept_sharer)) {
			if (kept_sharer) {
				/* a sharer runs, traced, to its end: so does u */
				u->kept = true;
				resume(t, u);
			}
			continue;
		}
		if (u->stop_kind != STOP_JOBCTL) {
			/* Injection wants a stop outside any syscall with no signal to deliver. */
			run_on(u, true);
			continue;
		}
		r = trace_inject_filter(u->tid, t->opts->refusal_bpf, t->opts->refusal_len, &sig);
		if (sig)
			u->resume_sig = sig;
		if (r == -ESRCH) {
			tracee_gone(t, u); /* reaped by the injection's wait */
			i--;
			continue;
		}
		if (r < 0) {
			fprintf(stderr,
				"kmodaudit trace: cannot make %d refuse module calls (%s): %s\n",
				u->tid, strerror(-r), "it stays traced until it exits");
			u->kept = true;
			u->parked = false;
			resume(t, u);
			continue;
		}
		u->refusing = true;
		u->stop_kind = STOP_OTHER; /* at the injected call's syscall-exit stop */
	}
	/* Let go every refusing tracee all of whose sharers refuse as well. */
	for (size_t i = 0; i < t->n; i++) {
		struct tracee *u = t->tracees[i];
		bool all = true, vfork_child = false;

		if (!u->parked || !u->refusing || u->held_for)
			continue;
		for (size_t j = 0; j < t->n; j++) {
			struct tracee *v = t->tracees[j];

			if (v == u || v->detached || v->kept || (v->refusing && v->parked) ||
			    !same_memory(u, v))
				continue;
			all = false;
			if (v->in_vfork && !v->stopped && u->vfork_parent == v->tid)
				vfork_child = true;
		}
		if (all) {
			/* a group-stopped one stays stopped (the kernel puts it back in its stop)
			 */
			ptrace(PTRACE_DETACH, u->tid, 0L, (long)u->resume_sig);
			u->detached = true;
			u->parked = false;
			u->stopped = false;
		} else if (vfork_child) {
			run_on(u, false);
		}
	}
}

static void drop_detached(struct tracer *t)
{
	for (size_t i = 0; i < t->n;) {
		if (t->tracees[i]->detached)
			tracee_remove(t, t->tracees[i]);
		else
			i++;
	}
}

static bool stops_awaited(struct tracer *t)
{
	for (struct held_call *h = t->calls; h; h = h->next)
		if (h->waiting)
			return true;
	return false;
}

/* Whether tid sleeps as a vfork parent waiting for its child (the kernel's wait_for_vfork_done). */
static bool in_vfork_wait(pid_t tid)
{
	char path[64], wchan[64];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/wchan", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, wchan, sizeof(wchan) - 1);
	if (n <= 0)
		return false;
	wchan[n] = '\0';
	return !strcmp(wchan, "wait_for_vfork_done");
}

/*
 * Interrupted threads that cannot reach their stop soon. A vfork parent (uninterruptible sleep,
 * 'D', in wait_for_vfork_done) runs no code until its child execs or exits, which may wait for
 * the very call held: it counts as held at once; its interrupt is pending, so it stops before it
 * returns to user space, and that late stop finds it held or, once the call is over, resumes it
 * (on_stop). Any other sleeper ('D' too: a killable read() into the image from a disk or FUSE
 * file) may still write the caller's memory before it stops, so it is waited for, up to
 * STOP_WAIT_MAX_MS; past that the call goes on with a warning, rather than hang the process.
 */
#define STOP_WAIT_MAX_MS 2000

static void hold_sleepers(struct tracer *t)
{
	long long now = clock_monotonic_ms();

	for (size_t i = 0; i < t->n; i++) {
		struct tracee *u = t->tracees[i];
		struct held_call *h = u->held_for;
		char state = 0;

		if (!u->interrupt_sent || procctx_state(u->tid, &state) < 0)
			continue;
		if (!h->wait_since_ms)
			h->wait_since_ms = now;
		if (state != 'D' || !in_vfork_wait(u->tid)) {
			if (now - h->wait_since_ms < STOP_WAIT_MAX_MS)
				continue;
			fprintf(stderr,
				"kmodaudit trace: thread %d did not stop in %d ms; the module call "
				"of "
				"%d goes on without it held\n",
				u->tid, STOP_WAIT_MAX_MS, h->caller ? h->caller->tid : 0);
		}
		u->interrupt_sent = false;
		if (--h->waiting == 0)
			call_proceed(t, h);
	}
}

/*
 * The next stop or exit of any tracee. While a held call awaits interrupt stops, the wait is a
 * poll: a thread that cannot stop must not hold the call (and its process) forever.
 */
static pid_t wait_tracee(struct tracer *t, int *status)
{
	static const struct timespec tick = {.tv_nsec = 1000 * 1000};
	pid_t pid;

	for (;;) {
		bool owed = forward_owed(t);

		if (!owed && !stops_awaited(t))
			return waitpid(-1, status, __WALL); /* EINTR on a signal: called again */
		pid = waitpid(-1, status, __WALL | WNOHANG);
		if (pid != 0)
			return pid;
		hold_sleepers(t);
		nanosleep(&tick, NULL);
	}
}

int trace_loop_run(struct kma_ctx *ctx, const struct trace_opts *opts, pid_t cmd, int *cmd_status)
{
	struct tracer t = {.ctx = ctx, .cmd = cmd, .opts = opts};
	struct sigaction sa = {.sa_sigaction = note_signal, .sa_flags = SA_SIGINFO};
	struct sigaction wake = {.sa_handler = wake_up};
	int r = 0;

	forward_pid = cmd;
	/* No SA_RESTART: a signal interrupts the loop's waitpid. */
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaddset(&sa.sa_mask, SIGHUP);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigemptyset(&wake.sa_mask);
	sigaction(SIGALRM, &wake, NULL);

	if (!tracee_add(&t, cmd))
		return -ENOMEM;
	for (;;) {
		struct tracee *u;
		int status;
		pid_t pid;

		if (!t.detaching && (stop_following || (t.cmd_done && !opts->follow)))
			leave_begin(&t);
		if (t.detaching) {
			leave_settle(&t);
			drop_detached(&t);
			if (!t.n)
				break;
		}
		pid = wait_tracee(&t, &status);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			if (errno != ECHILD)
				r = -errno;
			break;
		}
		if (WIFSTOPPED(status)) {
			u = tracee_add(&t, pid);
			if (u)
				on_stop(&t, u, status);
			else
				ptrace(PTRACE_CONT, pid, 0L, 0L);
			continue;
		}
		if (pid == cmd) {
			t.cmd_done = true;
			t.cmd_status = status;
			forward_pid = 0;
		}
		u = tracee_find(&t, pid);
		if (u)
			tracee_gone(&t, u);
	}
	*cmd_status = t.cmd_status;
	if (!t.cmd_done && r == 0)
		r = -ECHILD;
	for (size_t i = 0; i < t.n; i++)
		free(t.tracees[i]);
	free(t.tracees);
	free(t.ever);
	return r;
}
