/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel's module rules at boot: augenrules loads rules.d when auditd starts, after nearly
 * every boot-time load. An initramfs-tools hook puts auditctl and the installed rules' syscall
 * lines into the initramfs, and an init-top script loads them before udev runs there.
 */
#pragma once

#include <stdbool.h>

#define RULES_INITRAMFS_DIR "/etc/initramfs-tools"
#define RULES_INITRAMFS_NAME "kmodaudit-audit-rules"
#define RULES_INITRAMFS_HOOK RULES_INITRAMFS_DIR "/hooks/" RULES_INITRAMFS_NAME
#define RULES_INITRAMFS_SCRIPT RULES_INITRAMFS_DIR "/scripts/init-top/" RULES_INITRAMFS_NAME

/*
 * Writes the hook and the init-top script (each atomically, 0755) and runs update-initramfs -u
 * when UPDATE. Prints what it did; returns 0, or 1 after an error message.
 */
int rules_initramfs_install(bool update);

/*
 * 1 when both files are in place (under ROOT, NULL: /) and are ours (their marker line),
 * 0 when not, -ENOENT when there is no initramfs-tools configuration at all.
 */
int rules_initramfs_state(const char *root);
