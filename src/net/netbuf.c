/*
 * netbuf.c - the one packet buffer type (uni/net.h): one kmalloc block
 * holding the struct, NETBUF_HEADROOM bytes for headers pushed in front
 * and the payload.
 *
 * Layer: kernel net, used by the drivers (receive buffers, transmit), the
 * stack and the socket layer. Invariants: head <= data, data + len <=
 * head + size; refs counts the owners, the last netbuf_put frees.
 */
#include <string.h>
#include <uni/kmalloc.h>
#include <uni/net.h>

static struct netbuf *alloc_room(size_t size)
{
	struct netbuf *nb;

	if (size > (1u << 20))
		return NULL;
	nb = kmalloc(sizeof(*nb) + size);
	if (!nb)
		return NULL;
	memset(nb, 0, sizeof(*nb));
	nb->head = (uint8_t *)(nb + 1);
	nb->size = (uint32_t)size;
	nb->refs = 1;
	return nb;
}

struct netbuf *netbuf_alloc(size_t len)
{
	struct netbuf *nb = alloc_room(NETBUF_HEADROOM + len);

	if (nb)
		nb->data = nb->head + NETBUF_HEADROOM;
	return nb;
}

void netbuf_put(struct netbuf *nb)
{
	if (nb && --nb->refs == 0)
		kfree(nb);
}

uint8_t *netbuf_push(struct netbuf *nb, size_t n)
{
	if ((size_t)(nb->data - nb->head) < n)
		return NULL;
	nb->data -= n;
	nb->len += (uint32_t)n;
	nb->l3 += (uint16_t)n;
	nb->l4 += (uint16_t)n;
	return nb->data;
}

uint8_t *netbuf_pull(struct netbuf *nb, size_t n)
{
	if (n > nb->len)
		return NULL;
	nb->data += n;
	nb->len -= (uint32_t)n;
	nb->l3 = nb->l3 >= n ? (uint16_t)(nb->l3 - n) : 0;
	nb->l4 = nb->l4 >= n ? (uint16_t)(nb->l4 - n) : 0;
	return nb->data;
}

uint8_t *netbuf_append(struct netbuf *nb, size_t n)
{
	uint8_t *end = nb->data + nb->len;

	if ((size_t)(nb->head + nb->size - end) < n)
		return NULL;
	nb->len += (uint32_t)n;
	return end;
}

void netbuf_trim(struct netbuf *nb, size_t n)
{
	if (n < nb->len)
		nb->len = (uint32_t)n;
}

struct netbuf *netbuf_clone(const struct netbuf *nb)
{
	size_t front = (size_t)(nb->data - nb->head);
	struct netbuf *c = alloc_room(front + nb->len);

	if (!c)
		return NULL;
	c->data = c->head + front;
	c->len = nb->len;
	memcpy(c->data, nb->data, nb->len);
	c->dev = nb->dev;
	c->l3 = nb->l3;
	c->l4 = nb->l4;
	return c;
}
