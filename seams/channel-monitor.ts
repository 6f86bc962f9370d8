/**
 * What the transmit scheduler needs to know about the channel, from
 * whatever can tell it: the simulated medium (RadioMedium.channelMonitor),
 * a LoRa chip's CAD and RSSI readings, or nothing at all (UDP links).
 */
export interface ChannelMonitor {
  /**
   * True while this node hears energy on the channel (a frame on air above
   * the carrier-sense threshold): listen before talk holds transmissions.
   */
  channelBusy(): boolean;
  /**
   * Fraction 0..1 of the recent window (one minute by default, as
   * Meshtastic's channel utilisation) in which the channel was busy here:
   * this node's own transmissions plus every frame it heard.
   */
  channelUse(): number;
}

/** A monitor for links with no shared channel to sense (UDP, serial): never busy. */
export const quietChannel: ChannelMonitor = {
  channelBusy: () => false,
  channelUse: () => 0,
};
