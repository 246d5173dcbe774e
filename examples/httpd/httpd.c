/*
 * httpd.c - a small static-file HTTP/1.1 server: uni's default demo
 * (`make run`) and the program bench/http and bench/footprint measure.
 *
 *   httpd [-p PORT] [-r ROOT]        (defaults: port 80, root /www)
 *
 * Plain POSIX C plus two Linux calls (epoll, sendfile), so the same file
 * builds unchanged with gcc or musl-gcc for Linux and with uni.cmake for a
 * uni image (examples/httpd/CMakeLists.txt embeds www/ at /www). One
 * process, one level-triggered epoll loop, non-blocking sockets:
 *   - GET and HEAD; 405 with Allow for other methods; 400 for a bad
 *     request line or header, a head over HEAD_MAX bytes, a 1.1 request
 *     without Host; 414 for a target over URI_MAX; 505 for HTTP/2+;
 *   - keep-alive (1.1 by default, 1.0 only with Connection: keep-alive),
 *     Connection: close honoured; pipelined requests answered in order
 *     (the next one is parsed only when the previous answer is sent);
 *   - the target is percent-decoded, "." and ".." resolved; a NUL, a bad
 *     escape or a ".." above ROOT is refused, so nothing outside ROOT is
 *     served (symbolic links inside ROOT are followed, as by most servers);
 *   - a directory serves its index.html, else a generated listing;
 *   - small files go out with their headers in one send; larger ones
 *     with sendfile (read/send when sendfile says EINVAL or ENOSYS), a
 *     partial send resuming on EPOLLOUT;
 *   - at most MAX_CONNS connections (accepting pauses until one closes);
 *     a connection idle for IDLE_SECS is closed; one closed after an
 *     answer lingers (conn_linger) so the answer is not lost to a reset.
 * It prints "httpd: listening on port PORT" once it accepts connections
 * (the line bench scripts and tests wait for) and nothing per request.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/sendfile.h>
#endif

#define HEAD_MAX 8192     /* request line + headers, CRLF CRLF included */
#define URI_MAX 4096      /* request target */
#define MAX_CONNS 1024
#define IDLE_SECS 30
#define LINGER_SECS 2     /* see conn_linger */
#define INLINE_MAX 16384  /* files up to this size are sent with the headers */
#define CHUNK 65536       /* one sendfile call or one read/send round */

struct buf {
	char *p;
	size_t len, cap;
};

struct conn {
	int fd;
	unsigned events;     /* what epoll watches now */
	time_t last;         /* monotonic seconds of the last progress */
	char in[HEAD_MAX];   /* bytes received, not yet parsed */
	size_t inlen;
	struct buf out;      /* headers (and small bodies) to send */
	size_t outoff;       /* how much of out is sent */
	int file;            /* body still to send from here, or -1 */
	off_t fileoff, fileleft;
	int no_sendfile;     /* sendfile failed with EINVAL/ENOSYS */
	int close_after;     /* close once out and file are sent */
	int peer_closed;     /* read returned 0: answer what is buffered */
	int draining;        /* answered and shut down for writing: input is
				read and dropped until EOF or LINGER_SECS */
};

static struct conn *conns[MAX_CONNS];
static int nconns, max_conns = MAX_CONNS;
static int epfd, lfd, accepting;
static char root[PATH_MAX];
static char chunk[CHUNK];

static time_t now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* RFC 9110 §5.6.7 IMF-fixdate, cached for the current second. */
static const char *http_date(time_t t, char *buf, size_t n)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, n, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	return buf;
}

static const char *date_now(void)
{
	static char buf[40];
	static time_t cached = -1;
	time_t t = time(NULL);

	if (t != cached) {
		http_date(t, buf, sizeof buf);
		cached = t;
	}
	return buf;
}

static const struct {
	const char *ext, *type;
} types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "htm", "text/html; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "json", "application/json" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "svg", "image/svg+xml" },
	{ "ico", "image/x-icon" },
	{ "wasm", "application/wasm" },
};

static const char *content_type(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(path, '.');
	size_t i;

	if (dot && (!slash || dot > slash))
		for (i = 0; i < sizeof types / sizeof types[0]; i++)
			if (strcasecmp(dot + 1, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

/* --- the output buffer ------------------------------------------------ */

static int out_reserve(struct buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 1024;
	char *p;

	if (b->len + more <= b->cap)
		return 0;
	while (cap < b->len + more)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

static int out_add(struct buf *b, const void *p, size_t n)
{
	if (out_reserve(b, n))
		return -1;
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

static int out_str(struct buf *b, const char *s)
{
	return out_add(b, s, strlen(s));
}

static int out_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -1;
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return 0;
		}
		if (out_reserve(b, (size_t)n + 1))
			return -1;
	}
}

/* HTML text: the five characters that matter escaped. */
static int out_html(struct buf *b, const char *s)
{
	int r = 0;

	for (; *s && !r; s++) {
		switch (*s) {
		case '&': r = out_str(b, "&amp;"); break;
		case '<': r = out_str(b, "&lt;"); break;
		case '>': r = out_str(b, "&gt;"); break;
		case '"': r = out_str(b, "&quot;"); break;
		case '\'': r = out_str(b, "&#39;"); break;
		default: r = out_add(b, s, 1);
		}
	}
	return r;
}

/* A path segment for an href: everything but unreserved bytes escaped. */
static int out_url(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *u = (const unsigned char *)s;
	int r = 0;

	for (; *u && !r; u++) {
		if (isalnum(*u) || strchr("-._~", *u)) {
			r = out_add(b, u, 1);
		} else {
			char e[3] = { '%', hex[*u >> 4], hex[*u & 15] };
			r = out_add(b, e, 3);
		}
	}
	return r;
}

/* --- responses --------------------------------------------------------- */

struct request {
	int head;          /* HEAD: headers only */
	int minor;         /* HTTP/1.minor */
	int keep_alive;
	char *target;      /* raw request target, NUL-terminated */
};

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 301: return "Moved Permanently";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 414: return "URI Too Long";
	case 500: return "Internal Server Error";
	case 505: return "HTTP Version Not Supported";
	}
	return "Error";
}

/* Status line and the common headers; the caller adds its own and the
 * blank line. */
static int out_status(struct conn *c, const struct request *rq, int status,
		      const char *type, long long length)
{
	const char *conn = NULL;

	if (!rq->keep_alive)
		c->close_after = 1;
	if (c->close_after)
		conn = "close";
	else if (rq->minor == 0)
		conn = "keep-alive";
	if (out_printf(&c->out, "HTTP/1.1 %d %s\r\nServer: uni-httpd\r\n"
		       "Date: %s\r\nContent-Type: %s\r\n"
		       "Content-Length: %lld\r\n",
		       status, reason(status), date_now(), type, length))
		return -1;
	if (conn && out_printf(&c->out, "Connection: %s\r\n", conn))
		return -1;
	return 0;
}

/* A small HTML page for an error or a redirect; extra is one more header
 * line with its CRLF, or "". */
static int respond_error(struct conn *c, const struct request *rq,
			 int status, const char *extra)
{
	char body[256];
	int n = snprintf(body, sizeof body,
			 "<!DOCTYPE html>\n<html><head><title>%d %s</title>"
			 "</head><body><h1>%d %s</h1></body></html>\n",
			 status, reason(status), status, reason(status));

	if (out_status(c, rq, status, "text/html; charset=utf-8", n) ||
	    out_printf(&c->out, "%s\r\n", extra))
		return -1;
	return rq->head ? 0 : out_add(&c->out, body, (size_t)n);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A listing of directory path (the request's decoded path shown). */
static int respond_listing(struct conn *c, const struct request *rq,
			   const char *path, const char *shown)
{
	DIR *d = opendir(path);
	struct dirent *e;
	struct buf body = { NULL, 0, 0 };
	char **names = NULL, full[PATH_MAX];
	size_t n = 0, cap = 0, i;
	int r = -1;

	if (!d)
		return respond_error(c, rq, errno == EACCES ? 403 : 404, "");
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n == cap) {
			char **p = realloc(names, (cap = cap ? cap * 2 : 32) *
					   sizeof *names);
			if (!p)
				goto out;
			names = p;
		}
		if (!(names[n] = strdup(e->d_name)))
			goto out;
		n++;
	}
	qsort(names, n, sizeof *names, name_cmp);

	if (out_str(&body, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		    "<title>Index of ") || out_html(&body, shown) ||
	    out_str(&body, "</title></head><body>\n<h1>Index of ") ||
	    out_html(&body, shown) || out_str(&body, "</h1>\n<ul>\n"))
		goto out;
	if (strcmp(shown, "/") != 0 &&
	    out_str(&body, "<li><a href=\"../\">../</a></li>\n"))
		goto out;
	for (i = 0; i < n; i++) {
		struct stat st;
		int dir;

		snprintf(full, sizeof full, "%s/%s", path, names[i]);
		dir = stat(full, &st) == 0 && S_ISDIR(st.st_mode);
		if (out_str(&body, "<li><a href=\"") ||
		    out_url(&body, names[i]) ||
		    out_str(&body, dir ? "/\">" : "\">") ||
		    out_html(&body, names[i]) ||
		    out_str(&body, dir ? "/</a></li>\n" : "</a></li>\n"))
			goto out;
	}
	if (out_str(&body, "</ul>\n</body></html>\n"))
		goto out;
	if (out_status(c, rq, 200, "text/html; charset=utf-8",
		       (long long)body.len) || out_str(&c->out, "\r\n"))
		goto out;
	r = rq->head ? 0 : out_add(&c->out, body.p, body.len);
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(body.p);
	closedir(d);
	return r;
}

/* A regular file: small ones copied behind the headers, others left to
 * flush() as c->file. */
static int respond_file(struct conn *c, const struct request *rq,
			const char *path)
{
	char mod[40];
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return respond_error(c, rq, errno == EACCES ? 403 :
				     errno == ENOENT || errno == ENOTDIR ?
				     404 : 500, "");
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return respond_error(c, rq, 403, "");
	}
	if (out_status(c, rq, 200, content_type(path), (long long)st.st_size) ||
	    out_printf(&c->out, "Last-Modified: %s\r\n\r\n",
		       http_date(st.st_mtime, mod, sizeof mod))) {
		close(fd);
		return -1;
	}
	if (rq->head || st.st_size == 0) {
		close(fd);
		return 0;
	}
	if (st.st_size <= INLINE_MAX) {
		size_t want = (size_t)st.st_size, got = 0;
		ssize_t r;

		if (out_reserve(&c->out, want)) {
			close(fd);
			return -1;
		}
		while (got < want) {
			r = read(fd, c->out.p + c->out.len + got, want - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		close(fd);
		if (got != want)
			return -1; /* Content-Length promised: drop the link */
		c->out.len += want;
		return 0;
	}
	c->file = fd;
	c->fileoff = 0;
	c->fileleft = st.st_size;
	return 0;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/*
 * The request target to a path under ROOT: origin-form (or absolute-form,
 * whose authority is ignored), query dropped, percent-decoded, "." and
 * ".." resolved. Returns 0 with *slash set when the target ended in "/",
 * 400 for a bad escape or a NUL, 403 for a ".." above the root.
 */
static int target_path(const char *target, char *out, size_t n, int *slash)
{
	char dec[URI_MAX + 1];
	size_t dl = 0, ol = 0;
	const char *p = target, *seg;

	if (strncasecmp(p, "http://", 7) == 0) {
		p = strchr(p + 7, '/');
		if (!p)
			p = "/";
	}
	if (*p != '/')
		return 400;
	for (; *p && *p != '?' && *p != '#'; p++) {
		int ch = (unsigned char)*p;

		if (ch == '%') {
			int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);

			if (lo < 0)
				return 400;
			ch = hi * 16 + lo;
			p += 2;
			if (ch == 0)
				return 400;
		}
		if (dl >= URI_MAX)
			return 414;
		dec[dl++] = (char)ch;
	}
	dec[dl] = '\0';
	*slash = dl > 0 && dec[dl - 1] == '/';

	/* Resolve segments into out, which holds "" or "/a/b". */
	out[0] = '\0';
	for (seg = dec; *seg;) {
		size_t len = strcspn(seg, "/");

		if (len == 0 || (len == 1 && seg[0] == '.')) {
			/* empty or "." */
		} else if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			char *up = strrchr(out, '/');

			if (!up)
				return 403;
			*up = '\0';
			ol = (size_t)(up - out);
		} else {
			if (ol + 1 + len + 1 > n)
				return 414;
			out[ol++] = '/';
			memcpy(out + ol, seg, len);
			ol += len;
			out[ol] = '\0';
		}
		seg += len;
		if (*seg == '/')
			seg++;
	}
	return 0;
}

static int respond(struct conn *c, const struct request *rq)
{
	char rel[URI_MAX + 2], path[PATH_MAX + URI_MAX + 16];
	struct stat st;
	int slash, status = target_path(rq->target, rel, sizeof rel - 1, &slash);

	if (status)
		return respond_error(c, rq, status, "");
	snprintf(path, sizeof path, "%s%s", root, rel[0] ? rel : "/");
	if (stat(path, &st))
		return respond_error(c, rq, errno == EACCES ? 403 : 404, "");
	if (S_ISDIR(st.st_mode)) {
		char loc[URI_MAX + 32];
		size_t len = strcspn(rq->target, "?#");

		if (!slash) {
			snprintf(loc, sizeof loc, "Location: %.*s/\r\n",
				 (int)len, rq->target);
			return respond_error(c, rq, 301, loc);
		}
		strncat(path, "/index.html", sizeof path - strlen(path) - 1);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			return respond_file(c, rq, path);
		path[strlen(path) - strlen("/index.html")] = '\0';
		strcat(rel, "/");
		return respond_listing(c, rq, path, rel);
	}
	return respond_file(c, rq, path);
}

/* RFC 9110 §5.6.2 tchar */
static int is_tchar(int ch)
{
	return isalnum(ch) || (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

/*
 * Parse one request head in c->in[0..len) (ending in an empty line) and
 * queue its answer. Returns 0, or -1 when the connection must be dropped
 * without an answer (out of memory).
 */
static int handle_request(struct conn *c, char *head)
{
	struct request rq = { 0, 1, 1, NULL };
	char *line = head, *next, *method, *sp1, *sp2, *version;
	int hosts = 0, get, body = 0, conn_close = 0, conn_keep = 0;

	next = strchr(line, '\n');
	*next++ = '\0';
	if (next - line >= 2 && next[-2] == '\r')
		next[-2] = '\0';
	method = line;
	sp1 = strchr(line, ' ');
	sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp1 || !sp2 || strchr(sp2 + 1, ' ') || sp1 == method ||
	    sp2 == sp1 + 1)
		goto bad;
	*sp1 = *sp2 = '\0';
	rq.target = sp1 + 1;
	version = sp2 + 1;
	for (line = method; *line; line++)
		if (!is_tchar((unsigned char)*line))
			goto bad;
	for (line = rq.target; *line; line++)
		if ((unsigned char)*line <= ' ' || *line == 0x7f)
			goto bad;
	if (strncmp(version, "HTTP/", 5) || !isdigit((unsigned char)version[5]) ||
	    version[6] != '.' || !isdigit((unsigned char)version[7]) ||
	    version[8])
		goto bad;
	rq.minor = version[7] - '0';
	get = strcmp(method, "GET") == 0;
	rq.head = strcmp(method, "HEAD") == 0;

	for (line = next; *line && *line != '\r' && *line != '\n'; line = next) {
		char *colon, *val, *end;

		next = strchr(line, '\n');
		*next++ = '\0';
		if (next - line >= 2 && next[-2] == '\r')
			next[-2] = '\0';
		colon = strchr(line, ':');
		if (!colon || colon == line)
			goto bad; /* also an obsolete folded line */
		for (end = line; end < colon; end++)
			if (!is_tchar((unsigned char)*end))
				goto bad;
		*colon = '\0';
		for (val = colon + 1; *val == ' ' || *val == '\t'; val++)
			;
		end = val + strlen(val);
		while (end > val && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (strcasecmp(line, "Host") == 0) {
			hosts++;
		} else if (strcasecmp(line, "Connection") == 0) {
			char *tok, *save;

			for (tok = strtok_r(val, ", \t", &save); tok;
			     tok = strtok_r(NULL, ", \t", &save)) {
				if (strcasecmp(tok, "close") == 0)
					conn_close = 1;
				else if (strcasecmp(tok, "keep-alive") == 0)
					conn_keep = 1;
			}
		} else if (strcasecmp(line, "Transfer-Encoding") == 0) {
			body = 1;
		} else if (strcasecmp(line, "Content-Length") == 0) {
			if (strspn(val, "0123456789") != strlen(val) || !*val)
				goto bad;
			if (strspn(val, "0") != strlen(val))
				body = 1;
		}
	}
	if (version[5] != '1') {
		rq.keep_alive = 0;
		return respond_error(c, &rq, 505, "");
	}
	rq.keep_alive = rq.minor >= 1 ? !conn_close : conn_keep && !conn_close;
	/* A request body is never read: it would be taken for the next
	 * request, so answer and close. */
	if (body)
		rq.keep_alive = 0;
	if (rq.minor >= 1 && hosts != 1)
		goto bad;
	if (strlen(rq.target) > URI_MAX)
		return respond_error(c, &rq, 414, "");
	if (!get && !rq.head)
		return respond_error(c, &rq, 405, "Allow: GET, HEAD\r\n");
	return respond(c, &rq);
bad:
	rq.keep_alive = 0;
	rq.head = 0;
	return respond_error(c, &rq, 400, "");
}

/* --- connections --------------------------------------------------------- */

static void conn_close(struct conn *c)
{
	int i;

	for (i = 0; i < max_conns; i++)
		if (conns[i] == c) {
			conns[i] = NULL;
			break;
		}
	close(c->fd); /* also takes it out of the epoll set */
	if (c->file >= 0)
		close(c->file);
	free(c->out.p);
	free(c);
	nconns--;
	if (!accepting) {
		struct epoll_event ev = { EPOLLIN, { .ptr = NULL } };

		if (epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev) == 0)
			accepting = 1;
	}
}

static int conn_watch(struct conn *c, unsigned events)
{
	struct epoll_event ev;

	if (c->events == events)
		return 0;
	ev.events = events;
	ev.data.ptr = c;
	c->events = events;
	return epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Send what is queued. Returns 1 when all is sent, 0 when the socket is
 * full, -1 on an error. */
static int flush(struct conn *c)
{
	ssize_t r;

	while (c->outoff < c->out.len) {
		r = send(c->fd, c->out.p + c->outoff, c->out.len - c->outoff,
			 MSG_NOSIGNAL);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		}
		c->outoff += (size_t)r;
		c->last = now_mono();
	}
	c->outoff = c->out.len = 0;
	while (c->file >= 0 && c->fileleft > 0) {
		size_t want = c->fileleft > CHUNK ? CHUNK : (size_t)c->fileleft;

		r = -1;
#ifdef __linux__
		if (!c->no_sendfile) {
			r = sendfile(c->fd, c->file, &c->fileoff, want);
			if (r < 0 && (errno == EINVAL || errno == ENOSYS)) {
				c->no_sendfile = 1;
			} else if (r < 0) {
				if (errno == EINTR)
					continue;
				return errno == EAGAIN ||
				       errno == EWOULDBLOCK ? 0 : -1;
			} else if (r == 0) {
				return -1; /* the file shrank */
			} else {
				c->fileleft -= r;
				c->last = now_mono();
				continue;
			}
		}
#endif
		/* read/send through one shared buffer: a partial send moves
		 * the offset by what was sent, the rest is read again. */
		r = pread(c->file, chunk, want, c->fileoff);
		if (r <= 0)
			return -1;
		r = send(c->fd, chunk, (size_t)r, MSG_NOSIGNAL);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		}
		c->fileoff += r;
		c->fileleft -= r;
		c->last = now_mono();
	}
	if (c->file >= 0) {
		close(c->file);
		c->file = -1;
	}
	return 1;
}

/* The end of the first request head in c->in (just past its empty line),
 * or 0. A bare LF is taken as a line end (RFC 9112 §2.2). */
static size_t head_end(const struct conn *c)
{
	size_t i;

	for (i = 0; i < c->inlen; i++) {
		if (c->in[i] != '\n')
			continue;
		if (i + 1 < c->inlen && c->in[i + 1] == '\n')
			return i + 2;
		if (i + 2 < c->inlen && c->in[i + 1] == '\r' &&
		    c->in[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/*
 * Closing with unread input makes TCP send a reset, which can destroy the
 * answer before the client reads it (a 400 for an over-long head, a 405
 * for a POST with a body). So shut down our side, then read and drop
 * until the client closes or LINGER_SECS pass (close_idle), as Apache's
 * lingering close does.
 */
static void conn_linger(struct conn *c)
{
	if (c->peer_closed || shutdown(c->fd, SHUT_WR) || conn_watch(c, EPOLLIN)) {
		conn_close(c);
		return;
	}
	c->draining = 1;
	c->last = now_mono();
}

/* Answer buffered requests in order while the socket takes the answers;
 * then watch for what comes next. Frees c when the connection ends. */
static void conn_run(struct conn *c)
{
	for (;;) {
		int r = flush(c);
		size_t end;

		if (r < 0)
			goto drop;
		if (r == 0) {
			if (conn_watch(c, EPOLLOUT))
				goto drop;
			return;
		}
		if (c->close_after) {
			conn_linger(c);
			return;
		}
		/* Leading empty lines before a request are ignored
		 * (RFC 9112 §2.2). */
		while (c->inlen && (c->in[0] == '\r' || c->in[0] == '\n')) {
			memmove(c->in, c->in + 1, --c->inlen);
		}
		end = head_end(c);
		if (end) {
			char head[HEAD_MAX + 1];

			memcpy(head, c->in, end);
			head[end] = '\0';
			memmove(c->in, c->in + end, c->inlen - end);
			c->inlen -= end;
			if (memchr(head, '\0', end)) {
				/* A NUL is never valid in a head
				 * (RFC 9110 §5.5). */
				struct request rq = { 0, 1, 0, NULL };

				if (respond_error(c, &rq, 400, ""))
					goto drop;
			} else if (handle_request(c, head)) {
				goto drop;
			}
			continue;
		}
		if (c->inlen == sizeof c->in) {
			/* No end of head in HEAD_MAX bytes: a target too
			 * long for the request line, else a head too big. */
			struct request rq = { 0, 1, 0, NULL };
			int uri = !memchr(c->in, '\n', c->inlen);

			c->inlen = 0;
			if (respond_error(c, &rq, uri ? 414 : 400, ""))
				goto drop;
			continue;
		}
		if (c->peer_closed)
			goto drop;
		if (conn_watch(c, EPOLLIN))
			goto drop;
		return;
	}
drop:
	conn_close(c);
}

static void conn_read(struct conn *c)
{
	while (c->draining) {
		ssize_t r = recv(c->fd, chunk, sizeof chunk, 0);

		if (r > 0 || (r < 0 && errno == EINTR))
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		conn_close(c);
		return;
	}
	while (c->inlen < sizeof c->in) {
		ssize_t r = recv(c->fd, c->in + c->inlen,
				 sizeof c->in - c->inlen, 0);

		if (r > 0) {
			c->inlen += (size_t)r;
			c->last = now_mono();
			continue;
		}
		if (r == 0) {
			c->peer_closed = 1;
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		conn_close(c);
		return;
	}
	conn_run(c);
}

static void accept_all(void)
{
	for (;;) {
		struct epoll_event ev;
		struct conn *c;
		int fd, one = 1, i;

		if (nconns >= max_conns) {
			/* Full: stop accepting until a connection closes
			 * (conn_close adds the listener back). */
			if (epoll_ctl(epfd, EPOLL_CTL_DEL, lfd, NULL) == 0)
				accepting = 0;
			return;
		}
#ifdef SOCK_NONBLOCK
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
#else
		fd = accept(lfd, NULL, NULL);
		if (fd >= 0)
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
#endif
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				if (nconns > 0 && epoll_ctl(epfd, EPOLL_CTL_DEL,
							     lfd, NULL) == 0)
					accepting = 0;
			}
			return; /* EAGAIN, or an aborted connection */
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		c = calloc(1, sizeof *c);
		if (!c) {
			close(fd);
			return;
		}
		c->fd = fd;
		c->file = -1;
		c->last = now_mono();
		c->events = EPOLLIN;
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev)) {
			close(fd);
			free(c);
			continue;
		}
		for (i = 0; conns[i]; i++)
			;
		conns[i] = c;
		nconns++;
	}
}

static void close_idle(void)
{
	time_t now = now_mono();
	int i;

	for (i = 0; i < max_conns; i++)
		if (conns[i] && now - conns[i]->last >=
		    (conns[i]->draining ? LINGER_SECS : IDLE_SECS))
			conn_close(conns[i]);
}

static void usage(void)
{
	fprintf(stderr, "usage: httpd [-p PORT] [-r ROOT]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa;
	struct epoll_event ev, evs[64];
	struct rlimit rl;
	struct stat st;
	const char *rootarg = "/www";
	long port = 80;
	char *end;
	int opt, one = 1;
	time_t swept;

	while ((opt = getopt(argc, argv, "p:r:h")) != -1) {
		switch (opt) {
		case 'p':
			errno = 0;
			port = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || port < 1 ||
			    port > 65535) {
				fprintf(stderr, "httpd: bad port '%s' "
					"(1-65535)\n", optarg);
				return 2;
			}
			break;
		case 'r':
			rootarg = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (stat(rootarg, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "httpd: root '%s': %s\n", rootarg,
			errno ? strerror(errno) : "not a directory");
		return 2;
	}
	if (strlen(rootarg) >= sizeof root) {
		fprintf(stderr, "httpd: root '%s': path too long\n", rootarg);
		return 2;
	}
	strcpy(root, rootarg);
	while (strlen(root) > 1 && root[strlen(root) - 1] == '/')
		root[strlen(root) - 1] = '\0';
	if (strcmp(root, "/") == 0)
		root[0] = '\0';

	signal(SIGPIPE, SIG_IGN);
	/* Each connection may hold a socket and a file. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		if (rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
			getrlimit(RLIMIT_NOFILE, &rl);
		}
		if (rl.rlim_cur != RLIM_INFINITY &&
		    rl.rlim_cur < 2 * MAX_CONNS + 16)
			max_conns = rl.rlim_cur > 48 ?
				    (int)(rl.rlim_cur - 16) / 2 : 16;
	}

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0) {
		perror("httpd: socket");
		return 1;
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_ANY);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof sa)) {
		fprintf(stderr, "httpd: bind port %ld: %s\n", port,
			strerror(errno));
		return 1;
	}
	if (listen(lfd, 511)) {
		perror("httpd: listen");
		return 1;
	}
	fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0) {
		perror("httpd: epoll_create1");
		return 1;
	}
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev)) {
		perror("httpd: epoll_ctl");
		return 1;
	}
	accepting = 1;
	printf("httpd: listening on port %ld\n", port);
	fflush(stdout);

	swept = now_mono();
	for (;;) {
		int n = epoll_wait(epfd, evs, 64, nconns ? 1000 : -1), i;

		if (n < 0 && errno != EINTR) {
			perror("httpd: epoll_wait");
			return 1;
		}
		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (!c)
				accept_all();
			else if (evs[i].events & (EPOLLERR | EPOLLHUP) &&
				 !(evs[i].events & EPOLLIN))
				conn_close(c);
			else if (c->events & EPOLLOUT)
				conn_run(c);
			else
				conn_read(c);
		}
		if (nconns && now_mono() - swept >= 1) {
			close_idle();
			swept = now_mono();
		}
	}
}
