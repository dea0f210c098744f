// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* runtime_api: container names from the runtime's local API socket. */
#include "enrich/runtime_api.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/http_client.h"
#include "lib/json.h"

enum runtime_api_kind runtime_api_kind_of(const char *socket_path)
{
	const char *base = strrchr(socket_path, '/');

	base = base ? base + 1 : socket_path;
	return strstr(base, "crio") ? RUNTIME_API_CRIO : RUNTIME_API_DOCKER;
}

static const char *str_at(const struct json_value *obj, const char *key)
{
	return json_get_string(json_object_get(obj, key));
}

/* The CRI labels kubelet's runtimes put on a pod's containers. */
static void pod_from_labels(const struct json_value *labels, struct workload *out)
{
	const char *uid = str_at(labels, "io.kubernetes.pod.uid");

	WORKLOAD_SET(out->pod_name, str_at(labels, "io.kubernetes.pod.name"));
	WORKLOAD_SET(out->pod_namespace, str_at(labels, "io.kubernetes.pod.namespace"));
	if (uid && strlen(uid) == WORKLOAD_UID_MAX - 1)
		WORKLOAD_SET(out->pod_uid, uid);
	WORKLOAD_SET(out->k8s_container_name, str_at(labels, "io.kubernetes.container.name"));
}

int runtime_api_parse(const char *body, size_t len, struct workload *out)
{
	struct json_error err;
	struct json_value *root = json_parse(body, len, &err);
	const struct json_value *config;
	const char *name, *image;
	int ret = -1;

	if (!root)
		return -1;
	if (root->type != JSON_OBJECT)
		goto out;
	config = json_object_get(root, "Config");
	/* Docker: "Name": "/web", Config.Image; Podman: ImageName too; CRI-O: name, image. */
	name = str_at(root, "Name");
	if (!name)
		name = str_at(root, "name");
	if (name && name[0] == '/')
		name++;
	image = str_at(root, "ImageName");
	if (!image || !image[0])
		image = str_at(config, "Image");
	if (!image || !image[0])
		image = str_at(root, "image");
	if (!(name && name[0]) && !(image && image[0]))
		goto out;
	WORKLOAD_SET(out->container_name, name);
	WORKLOAD_SET(out->container_image, image);
	/* Docker and Podman: "Image" is the image id; CRI-O: image_ref. */
	WORKLOAD_SET(out->container_image_id, str_at(root, "Image"));
	WORKLOAD_SET(out->container_image_id, str_at(root, "image_ref"));
	pod_from_labels(
	    config ? json_object_get(config, "Labels") : json_object_get(root, "labels"), out);
	ret = 0;
out:
	json_free(root);
	return ret;
}

struct body {
	char *buf;
	size_t len;
	bool over;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct body *b = arg;
	size_t n = size * nmemb;
	char *p;

	if (b->len + n > RUNTIME_API_BODY_MAX) {
		b->over = true;
		return 0;
	}
	p = realloc(b->buf, b->len + n + 1);
	if (!p)
		return 0;
	b->buf = p;
	memcpy(b->buf + b->len, data, n);
	b->len += n;
	return n;
}

int runtime_api_query(const char *socket_path, const char *id, struct workload *out, char *err,
		      size_t errlen)
{
	char errbuf[CURL_ERROR_SIZE] = "", url[160];
	struct http_client_opts ho = {.timeout_ms = 5000, .errbuf = errbuf};
	struct body b = {0};
	CURL *h = http_client_new(&ho);
	long status = 0;
	CURLcode rc;
	int ret = -1;

	if (!h) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* The host part is not used on a unix socket; the path is the API's. */
	snprintf(url, sizeof(url),
		 runtime_api_kind_of(socket_path) == RUNTIME_API_CRIO
		     ? "http://localhost/containers/%s"
		     : "http://localhost/containers/%s/json",
		 id);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, socket_path);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s: %s", socket_path,
			 b.over	     ? "answer too large"
			 : errbuf[0] ? errbuf
				     : curl_easy_strerror(rc));
	} else if (status == 404) {
		ret = 0;
	} else if (status != 200) {
		snprintf(err, errlen, "%s: HTTP %ld", socket_path, status);
	} else if (runtime_api_parse(b.buf ? b.buf : "", b.len, out)) {
		snprintf(err, errlen, "%s: the answer is not a container", socket_path);
	} else {
		ret = 1;
	}
	free(b.buf);
	curl_easy_cleanup(h);
	return ret;
}
