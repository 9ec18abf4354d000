import type { BridgeInfo, BridgePort, Interface, LinkRef, VxlanInfo } from '../model/iproute';
import type { IpJsonSource } from './ip-json';
import { ipJsonArray, ipJsonCheck } from './ip-json';
import type { JsonPath } from '../parse/json-text';
import type { RawLink } from './raw-shapes';
import {
  onOffValue,
  RawBridgeData,
  RawBridgeSlaveData,
  RawLink as RawLinkSchema,
  RawVxlanData,
} from './raw-shapes';

export interface ParseIpLinkOptions {
  /** Named in every error. */
  file: string;
}

/**
 * Reads `ip -j -d link`. Plain `ip -j link` parses too, but without `-d` it has no kind, bridge or
 * vxlan details, so those come out null. Throws only ParseError.
 */
export function parseIpLink(text: string, opts: ParseIpLinkOptions): Interface[] {
  const src: IpJsonSource = { text, file: opts.file, what: 'the JSON array `ip -j -d link` prints' };
  const raws = ipJsonArray(src).map((value, index) => ipJsonCheck(src, RawLinkSchema, value, [index]));
  const indexByName = new Map(raws.map((r) => [r.ifname, r.ifindex]));
  return raws.map((raw, index) => interfaceFrom(src, raw, index, indexByName));
}

function interfaceFrom(
  src: IpJsonSource,
  raw: RawLink,
  index: number,
  indexByName: Map<string, number>,
): Interface {
  const info = raw.linkinfo;
  const kind = info?.info_kind ?? null;
  const slaveKind = info?.info_slave_kind ?? null;
  const link = linkRef(raw, indexByName);
  const infoPath: JsonPath = [index, 'linkinfo'];
  return {
    index: raw.ifindex,
    name: raw.ifname,
    kind,
    slaveKind,
    mtu: raw.mtu,
    operState: raw.operstate,
    flags: raw.flags,
    mac: raw.address ?? null,
    linkType: raw.link_type,
    master: raw.master ?? null,
    peer: kind === 'veth' ? link : null,
    parent: kind === 'veth' ? null : link,
    bridgePort:
      slaveKind === 'bridge' && info?.info_slave_data
        ? bridgePort(
            ipJsonCheck(src, RawBridgeSlaveData, info.info_slave_data, [...infoPath, 'info_slave_data']),
          )
        : null,
    bridge:
      kind === 'bridge' && info?.info_data
        ? bridgeInfo(ipJsonCheck(src, RawBridgeData, info.info_data, [...infoPath, 'info_data']))
        : null,
    vxlan:
      kind === 'vxlan' && info?.info_data
        ? vxlanInfo(ipJsonCheck(src, RawVxlanData, info.info_data, [...infoPath, 'info_data']))
        : null,
    altnames: raw.altnames ?? [],
  };
}

/**
 * IFLA_LINK as iproute2 prints it: `link_index` plus `link_netnsid` when the other device is in
 * another namespace, else its name, or `ifN` when iproute2 could not name index N.
 */
function linkRef(raw: RawLink, indexByName: Map<string, number>): LinkRef | null {
  const netnsId = raw.link_netnsid ?? null;
  if (raw.link_index !== undefined) return { ifindex: raw.link_index, name: null, netnsId };
  if (typeof raw.link !== 'string') return null;
  const known = indexByName.get(raw.link);
  if (known !== undefined) return { ifindex: known, name: raw.link, netnsId };
  const unnamed = /^if(\d+)$/.exec(raw.link);
  if (unnamed) return { ifindex: Number(unnamed[1]), name: null, netnsId };
  return { ifindex: null, name: raw.link, netnsId };
}

function bridgePort(d: RawBridgeSlaveData): BridgePort {
  return {
    state: d.state ?? null,
    hairpin: onOffValue(d.hairpin),
    learning: onOffValue(d.learning),
    flood: onOffValue(d.flood),
    isolated: onOffValue(d.isolated),
    proxyArp: onOffValue(d.proxy_arp),
    neighSuppress: onOffValue(d.neigh_suppress),
  };
}

function bridgeInfo(d: RawBridgeData): BridgeInfo {
  return {
    vlanFiltering: onOffValue(d.vlan_filtering),
    stpState: d.stp_state ?? null,
    nfCallIptables: onOffValue(d.nf_call_iptables),
    nfCallIp6tables: onOffValue(d.nf_call_ip6tables),
    nfCallArptables: onOffValue(d.nf_call_arptables),
  };
}

function vxlanInfo(d: RawVxlanData): VxlanInfo {
  return {
    id: d.id,
    local: d.local ?? d.local6 ?? null,
    remote: d.remote ?? d.remote6 ?? null,
    group: d.group ?? d.group6 ?? null,
    port: d.port ?? null,
    dev: d.link ?? null,
  };
}
