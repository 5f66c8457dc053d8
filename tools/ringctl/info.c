// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/* info.c - `ringctl info`: versions, driver limits, transports, io_uring, CUDA. */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#ifdef RINGDEV_HAVE_URING
#include <liburing.h>
#endif
#include "ringctl.h"

#define RC_PARAM_DIR	"/sys/module/ringdev/parameters"
#define RC_MAX_PARAMS	16

struct info {
	int drv_err;
	struct ringdev_info drv;
	unsigned int nparams;
	char param_name[RC_MAX_PARAMS][64];
	char param_val[RC_MAX_PARAMS][64];
	bool uring_ok;			/* io_uring_get_probe() worked */
	bool uring_write, uring_cmd;	/* opcodes the kernel supports */
	int uring_disabled;		/* the sysctl, -1 when absent */
	const char *uring_why;
	int cuda_devices;		/* -1: no runtime or it failed */
	int cuda_version;
	char cuda_why[128];
};

/* The driver: INFO on /dev/ringdev. */
static void probe_driver(struct info *in)
{
	int fd = rc_dev_open();

	in->drv_err = fd < 0 ? fd : 0;
	if (fd < 0)
		return;
	memset(&in->drv, 0, sizeof(in->drv));
	if (ioctl(fd, RINGDEV_IOC_INFO, &in->drv) < 0)
		in->drv_err = -errno;
	close(fd);
}

/* Every file in /sys/module/ringdev/parameters, sorted by name. */
static void probe_params(struct info *in)
{
	struct dirent **ents;
	int n, i;

	n = scandir(RC_PARAM_DIR, &ents, NULL, alphasort);
	if (n < 0)
		return;
	for (i = 0; i < n; i++) {
		char path[sizeof(RC_PARAM_DIR) + 300], *nl;
		FILE *f;

		if (ents[i]->d_name[0] != '.' && in->nparams < RC_MAX_PARAMS) {
			snprintf(path, sizeof(path), RC_PARAM_DIR "/%s", ents[i]->d_name);
			f = fopen(path, "re");
			if (f) {
				unsigned int k = in->nparams;

				snprintf(in->param_name[k], sizeof(in->param_name[k]), "%.63s",
					 ents[i]->d_name);
				if (fgets(in->param_val[k], sizeof(in->param_val[k]), f)) {
					nl = strchr(in->param_val[k], '\n');
					if (nl)
						*nl = '\0';
					in->nparams++;
				}
				fclose(f);
			}
		}
		free(ents[i]);
	}
	free(ents);
}

/* io_uring: the probe and the io_uring_disabled sysctl. */
static void probe_uring(struct info *in)
{
	FILE *f = fopen("/proc/sys/kernel/io_uring_disabled", "re");

	in->uring_disabled = -1;
	if (f) {
		if (fscanf(f, "%d", &in->uring_disabled) != 1)
			in->uring_disabled = -1;
		fclose(f);
	}
#ifdef RINGDEV_HAVE_URING
	{
		struct io_uring_probe *p = io_uring_get_probe();

		if (!p) {
			in->uring_why = "io_uring_get_probe failed (no io_uring or disabled)";
			return;
		}
		in->uring_ok = true;
		in->uring_write = io_uring_opcode_supported(p, IORING_OP_WRITE);
		in->uring_cmd = io_uring_opcode_supported(p, IORING_OP_URING_CMD);
		io_uring_free_probe(p);
	}
#else
	in->uring_why = "built without liburing";
#endif
}

/* CUDA: dlopen libcudart, count devices. */
static void probe_cuda(struct info *in)
{
	static const char *const libs[] = {
		"libcudart.so", "libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0",
	};
	int (*count)(int *), (*version)(int *);
	void *h = NULL;
	size_t i;
	int rc, n = 0;

	in->cuda_devices = -1;
	in->cuda_version = 0;
	for (i = 0; i < sizeof(libs) / sizeof(libs[0]) && !h; i++)
		h = dlopen(libs[i], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(in->cuda_why, sizeof(in->cuda_why), "no CUDA runtime");
		return;
	}
	*(void **)&count = dlsym(h, "cudaGetDeviceCount");
	*(void **)&version = dlsym(h, "cudaRuntimeGetVersion");
	if (!count) {
		snprintf(in->cuda_why, sizeof(in->cuda_why), "cudaGetDeviceCount missing");
		dlclose(h);
		return;
	}
	if (version)
		version(&in->cuda_version);
	rc = count(&n);
	if (rc) {
		snprintf(in->cuda_why, sizeof(in->cuda_why),
			 "cudaGetDeviceCount failed (error %d): none", rc);
		in->cuda_devices = 0;
	} else {
		in->cuda_devices = n;
	}
	/* libcudart is not unloaded: its threads may outlive dlclose(). */
}

/* The facts as JSON (keys in ringctl(8)). */
static void info_json(const struct info *in)
{
	struct jw w;
	unsigned int i;

	jw_init(&w, stdout);
	jw_obj(&w, NULL);
	jw_str(&w, "library_version", ringdev_version());
	jw_obj(&w, "driver");
	jw_bool(&w, "available", !in->drv_err);
	if (!in->drv_err) {
		jw_u64(&w, "abi_version", in->drv.abi_version);
		jw_arr(&w, "features");
		if (in->drv.features & RINGDEV_FEAT_URING_CMD)
			jw_str(&w, NULL, "uring_cmd");
		if (in->drv.features & RINGDEV_FEAT_WATCHER)
			jw_str(&w, NULL, "watcher");
		jw_arr_end(&w);
		jw_u64(&w, "max_rings", in->drv.max_rings);
		jw_u64(&w, "nr_rings", in->drv.nr_rings);
		jw_u64(&w, "max_ring_bytes", in->drv.max_ring_bytes);
		jw_u64(&w, "user_bytes", in->drv.user_bytes);
		jw_null(&w, "error");
	} else {
		jw_null(&w, "abi_version");
		jw_null(&w, "features");
		jw_null(&w, "max_rings");
		jw_null(&w, "nr_rings");
		jw_null(&w, "max_ring_bytes");
		jw_null(&w, "user_bytes");
		jw_str(&w, "error", ringdev_strerror(in->drv_err));
	}
	jw_obj_end(&w);
	jw_obj(&w, "module_parameters");
	for (i = 0; i < in->nparams; i++)
		jw_str(&w, in->param_name[i], in->param_val[i]);
	jw_obj_end(&w);
	jw_arr(&w, "transports");
	jw_str(&w, NULL, "shm");
	if (!in->drv_err && in->drv.abi_version == RINGDEV_ABI_VERSION)
		jw_str(&w, NULL, "dev");
	jw_arr_end(&w);
	jw_obj(&w, "io_uring");
	jw_bool(&w, "supported", in->uring_ok);
	jw_bool(&w, "write", in->uring_write);
	jw_bool(&w, "uring_cmd", in->uring_cmd);
	if (in->uring_disabled >= 0)
		jw_i64(&w, "disabled_sysctl", in->uring_disabled);
	else
		jw_null(&w, "disabled_sysctl");
	jw_str(&w, "error", in->uring_why);
	jw_obj_end(&w);
	jw_obj(&w, "cuda");
	jw_bool(&w, "runtime", in->cuda_devices >= 0);
	if (in->cuda_version)
		jw_i64(&w, "runtime_version", in->cuda_version);
	else
		jw_null(&w, "runtime_version");
	jw_i64(&w, "devices", in->cuda_devices > 0 ? in->cuda_devices : 0);
	jw_str(&w, "error", in->cuda_why[0] ? in->cuda_why : NULL);
	jw_obj_end(&w);
	jw_obj_end(&w);
	jw_finish(&w);
}

/* The facts as text. */
static void info_text(const struct info *in)
{
	unsigned int i;

	printf("library:     libringdev %s (ringctl %s)\n", ringdev_version(),
	       RINGDEV_VERSION_STRING);
	if (in->drv_err) {
		printf("driver:      not available (%s)\n", ringdev_strerror(in->drv_err));
	} else {
		printf("driver:      ringdev.ko ABI %u, features%s%s%s\n", in->drv.abi_version,
		       in->drv.features & RINGDEV_FEAT_URING_CMD ? " uring_cmd" : "",
		       in->drv.features & RINGDEV_FEAT_WATCHER ? " watcher" : "",
		       in->drv.features ? "" : " none");
		printf("             %u of %u rings alive, %llu bytes per ring max, "
		       "%llu bytes charged to us\n", in->drv.nr_rings, in->drv.max_rings,
		       (unsigned long long)in->drv.max_ring_bytes,
		       (unsigned long long)in->drv.user_bytes);
	}
	if (in->nparams) {
		printf("parameters: ");
		for (i = 0; i < in->nparams; i++)
			printf(" %s=%s", in->param_name[i], in->param_val[i]);
		printf("\n");
	}
	printf("transports:  shm%s\n",
	       !in->drv_err && in->drv.abi_version == RINGDEV_ABI_VERSION ? " dev" : "");
	if (in->uring_ok)
		printf("io_uring:    supported (write %s, uring_cmd %s)", in->uring_write ? "yes" : "no",
		       in->uring_cmd ? "yes" : "no");
	else
		printf("io_uring:    not usable (%s)", in->uring_why);
	if (in->uring_disabled >= 0)
		printf(", io_uring_disabled=%d", in->uring_disabled);
	printf("\n");
	if (in->cuda_devices > 0)
		printf("cuda:        %d device%s (runtime %d)\n", in->cuda_devices,
		       in->cuda_devices == 1 ? "" : "s", in->cuda_version);
	else
		printf("cuda:        %s\n", in->cuda_why[0] ? in->cuda_why : "none");
}

static const struct option info_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/**
 * cmd_info() - `ringctl info [--json]`
 * @argc: argument count
 * @argv: arguments; argv[0] is "info"
 *
 * Return: RC_OK (facts that cannot be had are reported, not errors) or RC_USAGE.
 */
int cmd_info(int argc, char **argv)
{
	struct info in;
	int c;

	while ((c = getopt_long(argc, argv, "jh", info_opts, NULL)) != -1) {
		switch (c) {
		case 'j': rc_g.json = true; break;
		case 'h':
			printf("usage: ringctl info [--json]\n"
			       "  Library and driver versions, module parameters, transports,\n"
			       "  io_uring support and CUDA devices.\n");
			return RC_OK;
		default:
			return rc_bad_option("info", argv);
		}
	}
	if (optind != argc)
		return rc_usage_error("info", "unexpected argument '%s'", argv[optind]);
	memset(&in, 0, sizeof(in));
	probe_driver(&in);
	probe_params(&in);
	probe_uring(&in);
	probe_cuda(&in);
	if (rc_g.json)
		info_json(&in);
	else
		info_text(&in);
	return RC_OK;
}
