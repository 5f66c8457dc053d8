// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/*
 * ring.c - the ring core's slow path: region geometry, formatting a fresh
 * ring, and validating a ring found in shared memory before any use.
 */
#include <ringdev/ring.h>

static int is_pow2_in(__u64 v, __u64 lo, __u64 hi)
{
	return v >= lo && v <= hi && !(v & (v - 1));
}

size_t ringdev_ring_region_size(__u32 capacity, __u32 slot_size)
{
	if (!is_pow2_in(capacity, RINGDEV_CAPACITY_MIN, RINGDEV_CAPACITY_MAX) ||
	    !is_pow2_in(slot_size, RINGDEV_SLOT_MIN, RINGDEV_SLOT_MAX))
		return 0;
	/* At most 2^24 * 2^16 + 4096: no overflow in 64 bits. */
	return (size_t)RINGDEV_CTRL_SIZE + (size_t)capacity * slot_size;
}

int ringdev_ring_format(void *mem, size_t len, const struct ringdev_ring_params *p)
{
	struct ringdev_ctrl *ctrl = mem;
	size_t size, name_len = 0;
	unsigned char *slots;
	__u32 i;

	if (!mem || !p || p->reserved || (p->flags & ~RINGDEV_RING_F_ALL) ||
	    ((unsigned long)mem & 63))
		return -EINVAL;
	size = ringdev_ring_region_size(p->capacity, p->slot_size);
	if (!size || len < size)
		return -EINVAL;
	if (p->name) {
		name_len = strnlen(p->name, RINGDEV_NAME_MAX);
		if (name_len == RINGDEV_NAME_MAX)
			return -ENAMETOOLONG;
	}

	memset(ctrl, 0, sizeof(*ctrl));
	ctrl->hdr.abi_version = RINGDEV_ABI_VERSION;
	ctrl->hdr.ctrl_size = RINGDEV_CTRL_SIZE;
	ctrl->hdr.slot_size = p->slot_size;
	ctrl->hdr.capacity = p->capacity;
	ctrl->hdr.flags = p->flags;
	ctrl->hdr.region_size = size;
	if (name_len)
		memcpy(ctrl->hdr.name, p->name, name_len);
	slots = (unsigned char *)mem + RINGDEV_CTRL_SIZE;
	for (i = 0; i < p->capacity; i++) {
		struct ringdev_slot_hdr *s =
			(struct ringdev_slot_hdr *)(slots + (size_t)i * p->slot_size);

		memset(s, 0, RINGDEV_SLOT_HDR_SIZE);
		s->seq = i;
	}
	/* The magic goes last: a reader that sees it sees a whole ring. */
	RINGDEV_STORE_RELEASE(&ctrl->hdr.magic, RINGDEV_MAGIC);
	return 0;
}

int ringdev_ring_attach(struct ringdev_ring *r, void *mem, size_t len)
{
	const struct ringdev_ctrl *ctrl = mem;
	__u32 capacity, slot_size, flags;
	__u64 region_size;
	size_t size;

	if (!r || !mem || ((unsigned long)mem & 63) || len < RINGDEV_CTRL_SIZE)
		return -EINVAL;
	/* Pairs with the release of the magic in ringdev_ring_format(). */
	if (RINGDEV_LOAD_ACQUIRE(&ctrl->hdr.magic) != RINGDEV_MAGIC)
		return -EBADMSG;
	if (RINGDEV_READ_ONCE(ctrl->hdr.abi_version) != RINGDEV_ABI_VERSION)
		return -EPROTO;
	/* Read each untrusted word once, then validate the copies. */
	capacity = RINGDEV_READ_ONCE(ctrl->hdr.capacity);
	slot_size = RINGDEV_READ_ONCE(ctrl->hdr.slot_size);
	flags = RINGDEV_READ_ONCE(ctrl->hdr.flags);
	region_size = RINGDEV_READ_ONCE(ctrl->hdr.region_size);
	size = ringdev_ring_region_size(capacity, slot_size);
	if (!size || size != region_size || size > len ||
	    RINGDEV_READ_ONCE(ctrl->hdr.ctrl_size) != RINGDEV_CTRL_SIZE ||
	    (flags & ~RINGDEV_RING_F_ALL))
		return -EBADMSG;

	memset(r, 0, sizeof(*r));
	r->ctrl = mem;
	r->slots = (unsigned char *)mem + RINGDEV_CTRL_SIZE;
	r->mask = capacity - 1;
	r->region_size = size;
	r->slot_shift = (__u32)__builtin_ctz(slot_size);
	r->max_payload = slot_size - RINGDEV_SLOT_HDR_SIZE;
	r->flags = flags;
	/* Untrusted starting points: the sequence words will vouch for them. */
	r->prod_head = RINGDEV_READ_ONCE(ctrl->prod.pos);
	r->cons_head = RINGDEV_READ_ONCE(ctrl->cons.pos);
	return 0;
}
