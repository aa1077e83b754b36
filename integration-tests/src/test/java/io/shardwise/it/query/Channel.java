package io.shardwise.it.query;

/** How a {@link Sale} was made (mapped as its name: ordered as a string). */
public enum Channel {
	WEB, STORE, PHONE, PARTNER
}
