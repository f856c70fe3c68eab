/** The {@code -javaagent} entry point ({@code Premain-Class} of {@code modtcp-agent.jar}). */
package io.modtcp.provider.agent;
