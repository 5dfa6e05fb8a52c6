/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Audit rules that make the kernel acknowledge our records and drop them (exclude list,
 * user-list never), judged for the record type the emitters send.
 */
#pragma once

enum check_drop {
	CHECK_DROP_NO,
	CHECK_DROP_SOME, /* the rule has other fields too (uid=, pid=, ...): some records */
	CHECK_DROP_ALL,
};

/* The [record] type= of ROOT's (NULL: this system's) configuration, the default without one. */
int check_drop_record_type(const char *root);

/* What the rule TEXT (auditctl syntax, as written or as auditctl -l prints it) does to TYPE. */
enum check_drop check_drop_rule(const char *text, int type);
