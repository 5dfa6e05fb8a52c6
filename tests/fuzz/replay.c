/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Runs a libFuzzer harness over files without libFuzzer, so that the regression inputs (every
 * crash fuzzing ever found) and the seed corpus run in every build, sanitized or not.
 * Usage: fuzz-NAME-replay FILE|DIR...
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ uint8_t *buf = NULL;
	struct stat st;
	size_t done = 0;

	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "replay: %s: %m\n", path);
		return -1;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf)
		return -1;
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, st.st_size - done);
		if (n <= 0)
			return -1;
		done += n;
	}
	LLVMFuzzerTestOneInput(buf, done);
	return 0;
}

static int replay(const char *path, unsigned *count)
{
	struct stat st;
	DIR *dir;
	struct dirent *de;
	int r = 0;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "replay: %s: %m\n", path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return replay_file(path);
	}
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		char sub[4096];
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (replay(sub, count) < 0)
			r = -1;
	}
	closedir(dir);
	return r;
}

int main(int argc, char *argv[])
{
	unsigned count = 0;
	int r = 0;

	for (int i = 1; i < argc; i++)
		if (replay(argv[i], &count) < 0)
			r = 1;
	printf("replayed %u inputs\n", count);
	return r;
}
