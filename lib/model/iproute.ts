import { z } from 'zod';

// Placeholders until the iproute2 model lands.
export const Interface = z.object({ name: z.string() });
export type Interface = z.infer<typeof Interface>;
export const Address = z.object({ ifname: z.string() });
export type Address = z.infer<typeof Address>;
export const Route = z.object({ dst: z.string() });
export type Route = z.infer<typeof Route>;
export const PolicyRule = z.object({ priority: z.number() });
export type PolicyRule = z.infer<typeof PolicyRule>;
export const Neighbour = z.object({ dst: z.string() });
export type Neighbour = z.infer<typeof Neighbour>;
