import { z } from 'zod';

// Placeholder until the ipset model lands.
export const IpSet = z.object({ name: z.string() });
export type IpSet = z.infer<typeof IpSet>;
