/**
 * Example: the fault handler of a custom device driver, the smallest complete handler bundle. It is also the
 * "write your own fault handler bundle" snippet of the root README (a test keeps the two identical).
 *
 * <ul>
 *   <li>{@link dev.faultline.examples.driver.DmaEngineFaults}: answers its device's page requests INVALID and
 *       flags the engine for a reset.</li>
 * </ul>
 */
package dev.faultline.examples.driver;
