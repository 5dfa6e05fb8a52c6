/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading a stopped tracee: its memory (process_vm_readv) and its mappings (/proc/PID/maps, smaps).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "cmd/trace/trace.h"
#include "macro.h"

int trace_mem_read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		struct iovec local = {.iov_base = (char *)buf + done, .iov_len = len - done};
		struct iovec remote = {.iov_base = (void *)(uintptr_t)(addr + done),
				       .iov_len = len - done};
		ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0) /* a partial read stops at the first unreadable page */
			return -EFAULT;
		done += (size_t)n;
	}
	return 0;
}

int trace_mem_read_string(pid_t pid, uint64_t addr, size_t max, char **out)
{
	_cleanup_free_ char *s = malloc(max + 1);
	size_t len = 0;

	if (!s)
		return -ENOMEM;
	/* Page by page: the string may end just before an unmapped page. */
	while (len < max) {
		size_t chunk = 4096 - ((addr + len) & 4095);
		char *nul;

		if (chunk > max - len)
			chunk = max - len;
		if (trace_mem_read(pid, addr + len, s + len, chunk) < 0)
			return -EFAULT;
		nul = memchr(s + len, '\0', chunk);
		if (nul) {
			*out = TAKE_PTR(s);
			return 0;
		}
		len += chunk;
	}
	s[max] = '\0';
	*out = TAKE_PTR(s);
	return 0;
}

int trace_mem_mapping_path(pid_t pid, uint64_t addr, char **out)
{
	char maps[64];
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	size_t size = 0;

	*out = NULL;
	snprintf(maps, sizeof(maps), "/proc/%d/maps", pid);
	f = fopen(maps, "re");
	if (!f)
		return -errno;
	while (getline(&line, &size, f) > 0) {
		uint64_t start, end;
		int path_at = 0;
		char *path, *nl;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %*s %*s %*s %*s %n", &start, &end,
			   &path_at) < 2 ||
		    !path_at)
			continue;
		if (addr < start || addr >= end)
			continue;
		path = line + path_at;
		nl = strchr(path, '\n');
		if (nl)
			*nl = '\0';
		if (*path != '/') /* anonymous, [stack], [vdso]... */
			return 0;
		*out = strdup(path);
		return *out ? 0 : -ENOMEM;
	}
	return 0;
}

int trace_mem_userfault(pid_t pid, uint64_t addr, uint64_t len)
{
	char smaps[64];
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	size_t size = 0;
	bool overlaps = false;

	if (len == 0)
		return 0;
	snprintf(smaps, sizeof(smaps), "/proc/%d/smaps", pid);
	f = fopen(smaps, "re");
	if (!f)
		return -errno;
	while (getline(&line, &size, f) > 0) {
		uint64_t start, end;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " ", &start, &end) == 2) {
			overlaps = start < addr + len && addr < end;
			continue;
		}
		/* VmFlags (last line of each mapping): um = userfaultfd missing, ui = minor */
		if (overlaps && !strncmp(line, "VmFlags:", 8) &&
		    (strstr(line, " um") || strstr(line, " ui")))
			return 1;
	}
	return 0;
}
