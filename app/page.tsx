import { testIds } from '@/components/test-ids';

// No store exists yet, so the honest state is empty: say how to get data in rather than show samples.
export default function HomePage() {
  return (
    <>
      <h1 data-testid={testIds.homeHeading}>What the kernel does with a packet</h1>
      <p className="lead">
        packetlens reads a node&apos;s iptables, nftables and routing state exactly as the kernel reports it
        and shows the rule chains, NAT flows and the path a packet takes through every netfilter hook. No
        hosts have been collected yet.
      </p>

      <section
        className="empty-state"
        aria-labelledby="empty-state-heading"
        data-testid={testIds.homeEmptyState}
      >
        <h2 id="empty-state-heading">No hosts collected yet</h2>
        <p>To get a first host in, do one of these:</p>
        <ol>
          <li>
            Save a node&apos;s <code>iptables-save</code>, <code>ip6tables-save</code>,{' '}
            <code>nft -j list ruleset</code> and <code>ip -j</code> (route, rule, addr, link) outputs to
            files, then turn them into a snapshot:
            <pre>
              <code>packetlens import FILE... --out snapshot.json</code>
            </pre>
            From a checkout of this repository, run it as <code>npx packetlens</code>.
          </li>
          <li>
            Write an inventory file that lists the hosts and how to reach them over SSH, and let the collector
            read them.
          </li>
        </ol>
      </section>
    </>
  );
}
