import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // Native and SSH modules stay on the server, loaded by Node rather than bundled.
  serverExternalPackages: ['ssh2', 'better-sqlite3'],
  poweredByHeader: false,
};

export default nextConfig;
